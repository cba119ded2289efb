using System.ComponentModel.DataAnnotations;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>The refresh token from the last signup, login or refresh.</summary>
public sealed record RefreshRequest([property: Required, MaxLength(RefreshTokens.MaxLength)] string RefreshToken);
