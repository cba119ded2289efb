using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace AuthKeys.Api.ApiKeys;

/// <summary>A new API key.</summary>
/// <param name="Name">Unique among your active keys.</param>
/// <param name="ExpiresAt">Optional; must be in the future. Omit for a key that does not expire.</param>
/// <param name="Scopes">What the key may do: up to 32 distinct scopes such as <c>demo:read</c>; none by default.</param>
/// <param name="Meta">Your own JSON object (customer id, plan), at most 1,024 bytes; returned as stored.</param>
public sealed record CreateApiKeyRequest(
    [property: Required, MinLength(1), MaxLength(ApiKeyLimits.NameMaxLength)] string Name,
    DateTimeOffset? ExpiresAt,
    [property: MaxLength(ApiKeyLimits.MaxScopes)] List<string>? Scopes = null,
    JsonElement? Meta = null);
