using FluentValidation;

namespace AuthKeys.Api.Accounts;

internal sealed class LoginRequestValidator : AbstractValidator<LoginRequest>
{
    public LoginRequestValidator()
    {
        RuleFor(r => r.Email).MustBeEmail();
        RuleFor(r => r.Password).MustBePassword();
    }
}
