using System.ComponentModel.DataAnnotations;
using AuthKeys.Api.Users;

namespace AuthKeys.Api.Auth;

/// <summary>Credentials of an existing account.</summary>
public sealed record LoginRequest(
    [property: Required, EmailAddress, MaxLength(UserLimits.EmailMaxLength)] string Email,
    [property: Required, MinLength(UserLimits.PasswordMinLength), MaxLength(UserLimits.PasswordMaxLength)] string Password);
