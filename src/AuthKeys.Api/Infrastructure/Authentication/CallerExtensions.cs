using System.Security.Claims;

namespace AuthKeys.Api.Infrastructure.Authentication;

public static class CallerExtensions
{
    public static Guid GetUserId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(AuthClaims.Subject)!);

    public static string GetEmail(this ClaimsPrincipal user) => user.FindFirstValue(AuthClaims.Email)!;

    public static Guid GetSessionId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(AuthClaims.SessionId)!);

    /// <summary>The API key the caller authenticated with, or null for a user with a JWT.</summary>
    public static Guid? GetKeyId(this ClaimsPrincipal user) =>
        user.FindFirstValue(AuthClaims.KeyId) is { } keyId ? Guid.Parse(keyId) : null;
}
