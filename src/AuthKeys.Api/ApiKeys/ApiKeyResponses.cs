using System.Text.Json;

namespace AuthKeys.Api.ApiKeys;

/// <summary>A new key. <see cref="Key"/> is shown this once and never again.</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id, string Key, string Name, string Prefix, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt,
    IReadOnlyList<string> Scopes, JsonElement? Meta);

/// <summary>A key as listed: never the secret or its hash.</summary>
public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, bool IsActive, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt,
    IReadOnlyList<string> Scopes, JsonElement? Meta)
{
    internal static ApiKeyResponse From(ApiKey key) =>
        new(key.Id, key.Name, key.Prefix, key.IsActive, key.ExpiresAt, key.LastUsedAt, key.CreatedAt, key.RevokedAt, key.Scopes, MetaJson.FromStored(key.Meta));
}
