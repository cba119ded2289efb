using System.Security.Claims;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Infrastructure.Authentication;
using CommunityToolkit.HighPerformance.Buffers;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// What authenticating a key needs to know, cached by the key's hash. A node may hold a million of
/// these, so an entry keeps only fixed-size fields and references to strings it shares with other
/// entries: the owner's address and the scope set come from a bounded pool (all of one owner's
/// keys, and all keys with the same scopes, point at one string), and the name and meta, which only verify answers with, live in a smaller cache of
/// their own (<see cref="ApiKeyDetails"/>). bench/scale.sh reports what an entry costs.
/// </summary>
public sealed class ApiKeyIdentity
{
    private readonly long _expiresAtTicks;
    private readonly bool _refillsMonthly;

    public ApiKeyIdentity(Guid keyId, Guid userId, string email, DateTimeOffset? expiresAt, bool isUsable, List<string> scopes,
        bool hasQuota, string? refillInterval, KeyRateLimit? rateLimit)
    {
        KeyId = keyId;
        UserId = userId;
        Email = StringPool.Shared.GetOrAdd(email);
        _expiresAtTicks = expiresAt?.UtcTicks ?? long.MaxValue;
        IsUsable = isUsable;
        Scope = scopes.Count == 0 ? null : StringPool.Shared.GetOrAdd(string.Join(' ', scopes));
        HasQuota = hasQuota;
        RefillsDaily = refillInterval == RefillIntervals.Daily;
        _refillsMonthly = refillInterval == RefillIntervals.Monthly;
        RateLimit = rateLimit;
    }

    public Guid KeyId { get; }
    public Guid UserId { get; }
    public string Email { get; }

    /// <summary>False once revoked, deactivated (the key or its owner) or rolled past its grace.</summary>
    public bool IsUsable { get; }
    public bool HasQuota { get; }
    private bool RefillsDaily { get; }
    public string? RefillInterval => RefillsDaily ? RefillIntervals.Daily : _refillsMonthly ? RefillIntervals.Monthly : null;
    public KeyRateLimit? RateLimit { get; }

    /// <summary>The <c>scope</c> claim: the key's scopes joined by spaces (no scope contains one), or null for none.</summary>
    public string? Scope { get; }

    public DateTimeOffset? ExpiresAt => _expiresAtTicks == long.MaxValue ? null : new DateTimeOffset(_expiresAtTicks, TimeSpan.Zero);

    /// <summary>The scopes as a list, built per call: only verify's answer needs one.</summary>
    public IReadOnlyList<string> Scopes => Scope?.Split(' ') ?? [];

    /// <summary>Whether the key is accepted at <paramref name="now"/>: usable, and not expired.</summary>
    public bool IsValidAt(DateTimeOffset now) => IsUsable && now.UtcTicks < _expiresAtTicks;

    /// <summary>Whether the key carries every one of <paramref name="required"/>.</summary>
    public bool HasScopes(IEnumerable<string> required)
    {
        foreach (var wanted in required)
        {
            if (!HasScope(wanted))
                return false;
        }
        return true;
    }

    private bool HasScope(string wanted)
    {
        foreach (var range in Scope.AsSpan().Split(' '))
        {
            if (Scope.AsSpan()[range].SequenceEqual(wanted))
                return true;
        }
        return false;
    }

    /// <summary>
    /// A new principal per request, a few hundred nanoseconds: the cache does not keep a claims
    /// object graph per key, and nothing a request does to its principal can reach another request.
    /// </summary>
    public ClaimsPrincipal CreatePrincipal() => CreatePrincipal(Scope, AuthSchemes.ApiKey);

    /// <summary>The key's caller with <paramref name="scope"/>: its own, or the narrower one of a token minted for it.</summary>
    public ClaimsPrincipal CreatePrincipal(string? scope, string authenticationType)
    {
        var claims = new Claim[scope is null ? 3 : 4];
        claims[0] = new Claim(AuthClaims.Subject, UserId.ToString());
        claims[1] = new Claim(AuthClaims.Email, Email);
        claims[2] = new Claim(AuthClaims.KeyId, KeyId.ToString());
        if (scope is not null)
            claims[3] = new Claim(AuthClaims.Scope, scope);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, AuthClaims.Subject, null));
    }
}

/// <summary>What verify answers with beyond <see cref="ApiKeyIdentity"/>: the name, and the meta as its stored JSON text.</summary>
public sealed record ApiKeyDetails(string Name, string? StoredMeta);
