using System.ComponentModel.DataAnnotations;
using FluentValidation;

namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>Starting to set up an authenticator app, proven by your password.</summary>
/// <param name="Password">A wrong one counts toward the account's lockout, like a failed login.</param>
public sealed record EnrollTotpRequest([property: Required, MaxLength(UserLimits.PasswordMaxLength)] string Password);

/// <summary>A code from the authenticator app (6 digits) or, where the route allows it, a recovery code (XXXXX-XXXXX).</summary>
/// <param name="Code">A wrong one counts toward the account's lockout.</param>
public sealed record MfaCodeRequest([property: Required, MaxLength(RecoveryCodes.MaxInputLength)] string Code);

/// <summary>Turning the second factor off, proven by your password and a code.</summary>
/// <param name="Password">A wrong one counts toward the account's lockout.</param>
/// <param name="Code">From the authenticator app, or a recovery code.</param>
public sealed record DisableMfaRequest(
    [property: Required, MaxLength(UserLimits.PasswordMaxLength)] string Password,
    [property: Required, MaxLength(RecoveryCodes.MaxInputLength)] string Code);

/// <summary>The second step of a login.</summary>
/// <param name="MfaToken">From the <c>mfa-required</c> answer of POST /auth/login; it works once, for 5 minutes.</param>
/// <param name="Code">From the authenticator app, or an unused recovery code.</param>
public sealed record MfaLoginRequest(
    [property: Required, MaxLength(MfaLogins.TokenMaxLength)] string MfaToken,
    [property: Required, MaxLength(RecoveryCodes.MaxInputLength)] string Code);

/// <summary>What an authenticator app needs; scan <c>otpauthUri</c> as a QR code or type <c>secret</c>.</summary>
/// <param name="Secret">160 random bits, base32.</param>
/// <param name="OtpauthUri">The key URI apps read: SHA1, 6 digits, 30 seconds.</param>
public sealed record TotpEnrollment(string Secret, string OtpauthUri);

/// <summary>Ten single-use codes for when the authenticator app is not at hand; shown only now.</summary>
public sealed record RecoveryCodesResponse(List<string> RecoveryCodes);

internal static class CodeRules
{
    public static IRuleBuilderOptions<T, string?> MustBeCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("Code is required.")
            .MaximumLength(RecoveryCodes.MaxInputLength).WithMessage("The code is wrong, expired or already used.");

    /// <summary>For the routes where a code is needed only when the account has a second factor.</summary>
    public static IRuleBuilderOptions<T, string?> MustFitCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(RecoveryCodes.MaxInputLength).WithMessage("The code is wrong, expired or already used.");
}

internal sealed class EnrollTotpRequestValidator : AbstractValidator<EnrollTotpRequest>
{
    public EnrollTotpRequestValidator() =>
        RuleFor(r => r.Password).NotEmpty().WithMessage("Password is required.")
            .MaximumLength(UserLimits.PasswordMaxLength).WithMessage($"Password must be at most {UserLimits.PasswordMaxLength} characters.");
}

internal sealed class MfaCodeRequestValidator : AbstractValidator<MfaCodeRequest>
{
    public MfaCodeRequestValidator() => RuleFor(r => r.Code).MustBeCode();
}

internal sealed class DisableMfaRequestValidator : AbstractValidator<DisableMfaRequest>
{
    public DisableMfaRequestValidator()
    {
        RuleFor(r => r.Password).NotEmpty().WithMessage("Password is required.")
            .MaximumLength(UserLimits.PasswordMaxLength).WithMessage($"Password must be at most {UserLimits.PasswordMaxLength} characters.");
        RuleFor(r => r.Code).MustBeCode();
    }
}

internal sealed class MfaLoginRequestValidator : AbstractValidator<MfaLoginRequest>
{
    public MfaLoginRequestValidator()
    {
        RuleFor(r => r.MfaToken).NotEmpty().WithMessage("MfaToken is required.")
            .MaximumLength(MfaLogins.TokenMaxLength).WithMessage("The mfaToken is not valid.");
        RuleFor(r => r.Code).MustBeCode();
    }
}
