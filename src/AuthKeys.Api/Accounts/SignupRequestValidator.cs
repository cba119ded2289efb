using AuthKeys.Api.Infrastructure.Validation;
using FluentValidation;

namespace AuthKeys.Api.Accounts;

internal sealed class SignupRequestValidator : AbstractValidator<SignupRequest>
{
    public SignupRequestValidator(CommonPasswords commonPasswords)
    {
        RuleFor(r => r.Email).MustBeEmail();
        RuleFor(r => r.Password).MustBePassword().MustNotBeCommon(commonPasswords);
        RuleFor(r => r.Name).MaximumLength(UserLimits.NameMaxLength).WithMessage($"Name must be at most {UserLimits.NameMaxLength} characters.")
            .MustBePlainText();
    }
}

internal static class CredentialRules
{
    public static IRuleBuilderOptions<T, string> MustBeEmail<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(email => EmailAddress.IsValid(EmailAddress.Normalize(email)))
            .WithMessage("Email must be a valid email address.");

    public static IRuleBuilderOptions<T, string> MustBePassword<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotNull().WithMessage("Password is required.")
            .Length(UserLimits.PasswordMinLength, UserLimits.PasswordMaxLength)
            .WithMessage($"Password must be {UserLimits.PasswordMinLength} to {UserLimits.PasswordMaxLength} characters.")
            .Must(password => password is null || TextRules.IsWellFormed(password)).WithMessage("Password must be well-formed Unicode.");

    /// <summary>For a new password only: a login must still accept whatever was accepted before.</summary>
    public static IRuleBuilderOptions<T, string> MustNotBeCommon<T>(this IRuleBuilderOptions<T, string> rule, CommonPasswords commonPasswords) =>
        rule.Must(password => password is null || !commonPasswords.IsCommon(password))
            .WithMessage("This password is too common: it is on the lists of passwords attackers try first. Choose another.");
}
