using System.Text.Json;
using AuthKeys.Api.ApiKeys.Limits;

namespace AuthKeys.Api.ApiKeys;

/// <summary>A new key. Its <c>key</c> (the secret) is shown this once and never again.</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id, string Key, string Name, string Prefix, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt,
    IReadOnlyList<string> Scopes, JsonElement? Meta, KeyRateLimit? RateLimit, int? Remaining, KeyRefill? Refill)
{
    internal static CreatedApiKeyResponse From(ApiKey key, string secret, DateTimeOffset now) =>
        new(key.Id, secret, key.Name, key.Prefix, key.ExpiresAt, key.CreatedAt, key.Scopes, MetaJson.FromStored(key.Meta),
            ApiKeyResponse.RateLimitOf(key), RefillIntervals.Effective(key, now), ApiKeyResponse.RefillOf(key));
}

/// <summary>A key that replaced the one in <c>rolledFrom</c>. Its <c>key</c> (the secret) is shown this once and never again.</summary>
public sealed record RolledApiKeyResponse(
    Guid Id, string Key, string Name, string Prefix, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt,
    IReadOnlyList<string> Scopes, JsonElement? Meta, KeyRateLimit? RateLimit, int? Remaining, KeyRefill? Refill, Guid RolledFrom)
{
    internal static RolledApiKeyResponse From(CreatedApiKeyResponse key, Guid rolledFrom) =>
        new(key.Id, key.Key, key.Name, key.Prefix, key.ExpiresAt, key.CreatedAt, key.Scopes, key.Meta, key.RateLimit, key.Remaining, key.Refill, rolledFrom);
}

/// <summary>A key as listed: never the secret or its hash.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Name">Unique among your active keys.</param>
/// <param name="Prefix">The first characters of the key, safe to display.</param>
/// <param name="IsActive">False once revoked.</param>
/// <param name="ExpiresAt">When it stops working; null for never.</param>
/// <param name="LastUsedAt">Its last successful use (written every few seconds).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; null while it is not.</param>
/// <param name="Scopes">What it may do.</param>
/// <param name="Meta">Your own JSON object, as stored.</param>
/// <param name="RateLimit">Successful uses allowed per window, if limited.</param>
/// <param name="Remaining">Uses left (a refill due counts); null for unlimited.</param>
/// <param name="Refill">The usage refill, if any.</param>
/// <param name="RolledFrom">The key this one replaced by a roll, if any.</param>
/// <param name="SupersededBy">The key that replaced this one by a roll with a grace period; this one then works until its expiresAt.</param>
public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, bool IsActive, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt,
    IReadOnlyList<string> Scopes, JsonElement? Meta, KeyRateLimit? RateLimit, int? Remaining, KeyRefill? Refill, Guid? RolledFrom, Guid? SupersededBy)
{
    internal static ApiKeyResponse From(ApiKey key, DateTimeOffset now) =>
        new(key.Id, key.Name, key.Prefix, key.IsActive, key.ExpiresAt, key.LastUsedAt, key.CreatedAt, key.RevokedAt,
            key.Scopes, MetaJson.FromStored(key.Meta), RateLimitOf(key), RefillIntervals.Effective(key, now), RefillOf(key), key.RolledFrom, key.SupersededBy);

    internal static KeyRateLimit? RateLimitOf(ApiKey key) =>
        key is { RateLimitLimit: { } limit, RateLimitWindowSeconds: { } window } ? new KeyRateLimit(limit, window) : null;

    internal static KeyRefill? RefillOf(ApiKey key) =>
        key is { RefillAmount: { } amount, RefillInterval: { } interval } ? new KeyRefill(amount, interval) : null;
}
