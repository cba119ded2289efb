using System.ComponentModel.DataAnnotations;

namespace AuthKeys.Api.Accounts;

/// <summary>Credentials of an existing account.</summary>
public sealed record LoginRequest(
    [property: Required, EmailAddress, MaxLength(UserLimits.EmailMaxLength)] string Email,
    [property: Required, MinLength(UserLimits.PasswordMinLength), MaxLength(UserLimits.PasswordMaxLength)] string Password);
