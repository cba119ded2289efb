using System.ComponentModel.DataAnnotations;
using FluentValidation;

namespace AuthKeys.Api.ApiKeys;

/// <summary>How to replace a key.</summary>
/// <param name="GracePeriodSeconds">How long the old key keeps working (never past its own expiry): 0 (the default) revokes it at once; at most 30 days.</param>
public sealed record RollApiKeyRequest([property: Range(0, RollApiKeyRequest.MaxGraceSeconds)] int? GracePeriodSeconds = null)
{
    public const int MaxGraceSeconds = 2_592_000;
}

internal sealed class RollApiKeyRequestValidator : AbstractValidator<RollApiKeyRequest>
{
    public RollApiKeyRequestValidator() =>
        RuleFor(r => r.GracePeriodSeconds).InclusiveBetween(0, RollApiKeyRequest.MaxGraceSeconds)
            .WithMessage($"GracePeriodSeconds must be from 0 to {RollApiKeyRequest.MaxGraceSeconds}.");
}
