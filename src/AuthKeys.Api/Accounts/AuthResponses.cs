namespace AuthKeys.Api.Accounts;

public sealed record UserResponse(Guid Id, string Email, string? Name);

/// <summary>Signup and login: the account and a fresh session's tokens.</summary>
public sealed record AuthResponse(UserResponse User, string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);

/// <summary>A rotated pair; the refresh token sent is spent.</summary>
public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);
