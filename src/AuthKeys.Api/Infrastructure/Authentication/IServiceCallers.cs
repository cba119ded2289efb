using System.Security.Claims;

namespace AuthKeys.Api.Infrastructure.Authentication;

/// <summary>
/// The API keys behind services' access tokens: a token minted for a key acts as that key's caller
/// only while the key itself would be accepted. ApiKeys implements it; the JWT schemes ask.
/// </summary>
public interface IServiceCallers
{
    /// <summary>The key's caller carrying <paramref name="scope"/>, or null when the key is revoked, expired, rolled past its grace, or not the owner's.</summary>
    ValueTask<ClaimsPrincipal?> AuthenticateAsync(Guid keyId, Guid ownerId, string? scope, CancellationToken cancellationToken);
}
