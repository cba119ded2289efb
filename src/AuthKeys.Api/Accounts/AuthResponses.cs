namespace AuthKeys.Api.Accounts;

/// <param name="Id">The account's id, also the <c>sub</c> claim of its access tokens.</param>
/// <param name="Email">Trimmed and lower-cased.</param>
/// <param name="Name">The display name, or null.</param>
/// <param name="EmailVerified">True once a link sent to the address was used.</param>
public sealed record UserResponse(Guid Id, string Email, string? Name, bool EmailVerified);

/// <summary>Signup and login: the account and a fresh session's tokens.</summary>
public sealed record AuthResponse(UserResponse User, string AccessToken, string RefreshToken, string TokenType, int ExpiresIn)
{
    public static AuthResponse Of(User user, TokenResponse tokens) =>
        new(new UserResponse(user.Id, user.Email, user.Name, user.EmailVerifiedAt is not null), tokens.AccessToken, tokens.RefreshToken, tokens.TokenType, tokens.ExpiresIn);
}

/// <summary>A rotated pair; the refresh token sent is spent.</summary>
public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);
