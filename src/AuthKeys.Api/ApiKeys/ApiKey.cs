using AuthKeys.Api.Accounts;

namespace AuthKeys.Api.ApiKeys;

public sealed class ApiKey
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public User User { get; set; } = null!;

    public required string Name { get; set; }

    /// <summary>The first characters of the key, safe to display (e.g. <c>sk_3f9a1c2b</c>).</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole key; the key itself is never stored.</summary>
    public required byte[] KeyHash { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>What the key may do; reaches the principal as the space-separated <c>scope</c> claim.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The key this one replaced by a roll.</summary>
    public Guid? RolledFrom { get; set; }

    /// <summary>
    /// The key that replaced this one by a roll with a grace period: this one keeps working until its
    /// (shortened) expiry, and no longer holds its name.
    /// </summary>
    public Guid? SupersededBy { get; set; }

    /// <summary>Successful uses allowed per <see cref="RateLimitWindowSeconds"/>; null for no limit.</summary>
    public int? RateLimitLimit { get; set; }

    public int? RateLimitWindowSeconds { get; set; }

    /// <summary>Uses left; null for unlimited. Decremented by one atomic UPDATE per successful use.</summary>
    public int? Remaining { get; set; }

    /// <summary>What <see cref="Remaining"/> is set back to at each <see cref="RefillInterval"/>; null for never.</summary>
    public int? RefillAmount { get; set; }

    /// <summary><c>daily</c> (00:00 UTC) or <c>monthly</c> (the 1st, 00:00 UTC).</summary>
    public string? RefillInterval { get; set; }

    /// <summary>When the quota was last set (created, changed or refilled): a refill is due once per period after it.</summary>
    public DateTimeOffset? LastRefilledAt { get; set; }

    /// <summary>The owner's own JSON object (customer id, plan), at most 1 KiB; stored as jsonb.</summary>
    public string? Meta { get; set; }

    /// <summary>When the key.expiring notice went out for the current expiry; cleared when the expiry changes.</summary>
    public DateTimeOffset? ExpiryNoticeSentAt { get; set; }
}
