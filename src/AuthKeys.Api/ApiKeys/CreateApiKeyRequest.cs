using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using AuthKeys.Api.ApiKeys.Limits;

namespace AuthKeys.Api.ApiKeys;

/// <summary>A new API key.</summary>
/// <param name="Name">Unique among your active keys.</param>
/// <param name="ExpiresAt">Optional; must be in the future. Omit for a key that does not expire.</param>
/// <param name="Scopes">What the key may do: up to 32 distinct scopes such as <c>demo:read</c>; none by default.</param>
/// <param name="Meta">Your own JSON object (customer id, plan), at most 1,024 bytes; returned as stored.</param>
/// <param name="RateLimit">How many successful uses the key gets per window; omit or null for no limit.</param>
/// <param name="Remaining">Uses the key gets (0 to 1,000,000,000); omit or null for unlimited.</param>
/// <param name="Refill">Sets remaining back to an amount every day or month (UTC); needs remaining.</param>
public sealed record CreateApiKeyRequest(
    [property: Required, MinLength(1), MaxLength(ApiKeyLimits.NameMaxLength)] string Name,
    DateTimeOffset? ExpiresAt,
    [property: MaxLength(ApiKeyLimits.MaxScopes)] List<string>? Scopes = null,
    JsonElement? Meta = null,
    KeyRateLimit? RateLimit = null,
    [property: Range(0, ApiKeyLimits.MaxRemaining)] int? Remaining = null,
    KeyRefill? Refill = null);

/// <summary>A per-key rate limit: at most <paramref name="Limit"/> successful uses per <paramref name="WindowSeconds"/> (a fixed window).</summary>
/// <param name="Limit">1 to 1,000,000.</param>
/// <param name="WindowSeconds">1 to 86,400.</param>
public sealed record KeyRateLimit(
    [property: Range(1, ApiKeyLimits.MaxRateLimit)] int Limit,
    [property: Range(1, ApiKeyLimits.MaxRateLimitWindowSeconds)] int WindowSeconds);

/// <summary>A usage refill: <c>remaining</c> is set back to <paramref name="Amount"/> at the start of each day (00:00 UTC) or month (the 1st).</summary>
/// <param name="Amount">1 to 1,000,000,000.</param>
/// <param name="Interval"><c>daily</c> or <c>monthly</c>.</param>
public sealed record KeyRefill(
    [property: Range(1, ApiKeyLimits.MaxRemaining)] int Amount,
    [property: Required, AllowedValues(RefillIntervals.Daily, RefillIntervals.Monthly), MaxLength(16)] string Interval);
