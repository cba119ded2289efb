using FluentValidation;

namespace AuthKeys.Api.Accounts.Sessions;

internal sealed class RefreshRequestValidator : AbstractValidator<RefreshRequest>
{
    public RefreshRequestValidator() =>
        RuleFor(r => r.RefreshToken).NotEmpty().WithMessage("RefreshToken is required.")
            .MaximumLength(RefreshTokens.MaxLength).WithMessage($"RefreshToken must be at most {RefreshTokens.MaxLength} characters.");
}
