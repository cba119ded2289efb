using System.ComponentModel.DataAnnotations;
using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Infrastructure.Validation;
using FluentValidation;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>A token from a verification or address-change link.</summary>
public sealed record VerifyEmailRequest([property: Required, MaxLength(AccountTokens.MaxLength)] string Token);

/// <summary>The address of the account whose password is forgotten.</summary>
public sealed record ForgotPasswordRequest([property: Required, EmailAddress, MaxLength(UserLimits.EmailMaxLength)] string Email);

/// <summary>A token from a reset link, and the new password.</summary>
/// <param name="Token">From the link; it works once, for 30 minutes.</param>
/// <param name="NewPassword">8 to 128 characters, and not one of the well-known passwords.</param>
/// <param name="Code">Required when the account has a second factor: from the authenticator app, or a recovery code.</param>
public sealed record ResetPasswordRequest(
    [property: Required, MaxLength(AccountTokens.MaxLength)] string Token,
    [property: Required, MinLength(UserLimits.PasswordMinLength), MaxLength(UserLimits.PasswordMaxLength)] string NewPassword,
    [property: MaxLength(RecoveryCodes.MaxInputLength)] string? Code = null);

/// <summary>A new address for your account, proven by your password.</summary>
/// <param name="NewEmail">Where the confirmation link goes; the address changes when it is used.</param>
/// <param name="Password">A wrong one counts toward the account's lockout, like a failed login.</param>
/// <param name="Code">Required when the account has a second factor: from the authenticator app, or a recovery code.</param>
public sealed record ChangeEmailRequest(
    [property: Required, EmailAddress, MaxLength(UserLimits.EmailMaxLength)] string NewEmail,
    [property: Required, MaxLength(UserLimits.PasswordMaxLength)] string Password,
    [property: MaxLength(RecoveryCodes.MaxInputLength)] string? Code = null);

internal sealed class VerifyEmailRequestValidator : AbstractValidator<VerifyEmailRequest>
{
    public VerifyEmailRequestValidator() => RuleFor(r => r.Token).MustBeToken();
}

internal sealed class ForgotPasswordRequestValidator : AbstractValidator<ForgotPasswordRequest>
{
    public ForgotPasswordRequestValidator() => RuleFor(r => r.Email).MustBeEmail();
}

internal sealed class ResetPasswordRequestValidator : AbstractValidator<ResetPasswordRequest>
{
    public ResetPasswordRequestValidator(CommonPasswords commonPasswords)
    {
        RuleFor(r => r.Token).MustBeToken();
        RuleFor(r => r.NewPassword).MustBePassword().MustNotBeCommon(commonPasswords);
        RuleFor(r => r.Code).MustFitCode();
    }
}

internal sealed class ChangeEmailRequestValidator : AbstractValidator<ChangeEmailRequest>
{
    public ChangeEmailRequestValidator()
    {
        RuleFor(r => r.NewEmail).MustBeEmail();
        RuleFor(r => r.Password).NotEmpty().WithMessage("Password is required.")
            .MaximumLength(UserLimits.PasswordMaxLength).WithMessage($"Password must be at most {UserLimits.PasswordMaxLength} characters.");
        RuleFor(r => r.Code).MustFitCode();
    }
}

internal static class TokenRules
{
    public static IRuleBuilderOptions<T, string> MustBeToken<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("Token is required.")
            .MaximumLength(AccountTokens.MaxLength).WithMessage("This link is not valid.")
            .Must(token => token is null || TextRules.IsWellFormed(token)).WithMessage("This link is not valid.");
}
