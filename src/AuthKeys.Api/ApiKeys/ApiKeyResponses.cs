namespace AuthKeys.Api.ApiKeys;

/// <summary>A new key. <see cref="Key"/> is shown this once and never again.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Key, string Name, string Prefix, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt);

/// <summary>A key as listed: never the secret or its hash.</summary>
public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, bool IsActive, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
