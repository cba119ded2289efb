using System.ComponentModel.DataAnnotations;
using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Infrastructure.Validation;
using FluentValidation;

namespace AuthKeys.Api.Accounts;

/// <summary>A change to your account.</summary>
/// <param name="Name">Your display name; null or empty clears it.</param>
public sealed record UpdateAccountRequest([property: MaxLength(UserLimits.NameMaxLength)] string? Name);

/// <summary>A new password, proven by the current one.</summary>
/// <param name="CurrentPassword">A wrong one counts toward the account's lockout, like a failed login.</param>
/// <param name="NewPassword">8 to 128 characters, and not one of the well-known passwords.</param>
/// <param name="Code">Required when the account has a second factor: from the authenticator app, or a recovery code.</param>
public sealed record ChangePasswordRequest(
    [property: Required, MaxLength(UserLimits.PasswordMaxLength)] string CurrentPassword,
    [property: Required, MinLength(UserLimits.PasswordMinLength), MaxLength(UserLimits.PasswordMaxLength)] string NewPassword,
    [property: MaxLength(RecoveryCodes.MaxInputLength)] string? Code = null);

/// <summary>Erasing your account, proven by your password.</summary>
/// <param name="Password">A wrong one counts toward the account's lockout, like a failed login.</param>
/// <param name="Code">Required when the account has a second factor: from the authenticator app, or a recovery code.</param>
public sealed record DeleteAccountRequest(
    [property: Required, MaxLength(UserLimits.PasswordMaxLength)] string Password,
    [property: MaxLength(RecoveryCodes.MaxInputLength)] string? Code = null);

internal sealed class UpdateAccountRequestValidator : AbstractValidator<UpdateAccountRequest>
{
    public UpdateAccountRequestValidator() =>
        RuleFor(r => r.Name).MaximumLength(UserLimits.NameMaxLength).WithMessage($"Name must be at most {UserLimits.NameMaxLength} characters.")
            .MustBePlainText();
}

internal sealed class ChangePasswordRequestValidator : AbstractValidator<ChangePasswordRequest>
{
    public ChangePasswordRequestValidator(CommonPasswords commonPasswords)
    {
        RuleFor(r => r.CurrentPassword).NotEmpty().WithMessage("CurrentPassword is required.")
            .MaximumLength(UserLimits.PasswordMaxLength).WithMessage($"CurrentPassword must be at most {UserLimits.PasswordMaxLength} characters.");
        RuleFor(r => r.NewPassword).MustBePassword().MustNotBeCommon(commonPasswords);
        RuleFor(r => r.Code).MustFitCode();
    }
}

internal sealed class DeleteAccountRequestValidator : AbstractValidator<DeleteAccountRequest>
{
    public DeleteAccountRequestValidator()
    {
        RuleFor(r => r.Password).NotEmpty().WithMessage("Password is required.")
            .MaximumLength(UserLimits.PasswordMaxLength).WithMessage($"Password must be at most {UserLimits.PasswordMaxLength} characters.");
        RuleFor(r => r.Code).MustFitCode();
    }
}
