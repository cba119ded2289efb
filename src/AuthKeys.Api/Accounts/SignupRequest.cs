using System.ComponentModel.DataAnnotations;

namespace AuthKeys.Api.Accounts;

/// <summary>A new account.</summary>
/// <param name="Email">Trimmed and lower-cased before use; one account per email.</param>
/// <param name="Password">8 to 128 characters; every character counts.</param>
/// <param name="Name">Optional display name.</param>
public sealed record SignupRequest(
    [property: Required, EmailAddress, MaxLength(UserLimits.EmailMaxLength)] string Email,
    [property: Required, MinLength(UserLimits.PasswordMinLength), MaxLength(UserLimits.PasswordMaxLength)] string Password,
    [property: MaxLength(UserLimits.NameMaxLength)] string? Name);
