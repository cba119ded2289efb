using AuthKeys.Api.Infrastructure.Validation;
using FluentValidation;

namespace AuthKeys.Api.ApiKeys;

internal sealed class CreateApiKeyRequestValidator : AbstractValidator<CreateApiKeyRequest>
{
    public CreateApiKeyRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Name)
            .Must(name => !string.IsNullOrWhiteSpace(name)).WithMessage("Name is required.")
            .MaximumLength(ApiKeyLimits.NameMaxLength).WithMessage($"Name must be at most {ApiKeyLimits.NameMaxLength} characters.")
            .MustBePlainText();
        RuleFor(r => r.ExpiresAt)
            .Must(expiresAt => expiresAt is null || expiresAt > time.GetUtcNow())
            .WithMessage("ExpiresAt must be in the future.");
    }
}
