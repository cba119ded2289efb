using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AuthKeys.Api.Users;

namespace AuthKeys.Api.Auth;

/// <summary>Credentials of an existing account.</summary>
public sealed record LoginRequest(
    [property: Required, EmailAddress, MaxLength(UserLimits.EmailMaxLength), DefaultValue("jane@example.com")] string Email,
    [property: Required, MinLength(UserLimits.PasswordMinLength), MaxLength(UserLimits.PasswordMaxLength), DefaultValue("Password123!")] string Password);
