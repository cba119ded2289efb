using System.ComponentModel.DataAnnotations;

namespace AuthKeys.Api.ApiKeys;

/// <summary>A new API key.</summary>
/// <param name="Name">Unique among your active keys.</param>
/// <param name="ExpiresAt">Optional; must be in the future. Omit for a key that does not expire.</param>
public sealed record CreateApiKeyRequest(
    [property: Required, MinLength(1), MaxLength(ApiKeyLimits.NameMaxLength)] string Name,
    DateTimeOffset? ExpiresAt);
