using System.Text.Json;
using System.Text.RegularExpressions;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Infrastructure.Validation;
using FluentValidation;

namespace AuthKeys.Api.ApiKeys;

internal sealed class CreateApiKeyRequestValidator : AbstractValidator<CreateApiKeyRequest>
{
    public CreateApiKeyRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Name).MustBeKeyName();
        RuleFor(r => r.ExpiresAt).MustBeInTheFuture(time);
        RuleFor(r => r.Scopes).MustBeScopes();
        RuleFor(r => r.Meta).MustBeMeta();
        RuleFor(r => r.RateLimit).MustBeRateLimit();
        RuleFor(r => r.Remaining).MustBeRemaining();
        RuleFor(r => r.Refill).MustBeRefill()
            .Must((request, refill) => refill is null || request.Remaining is not null).WithMessage("Refill needs remaining to be set.");
    }
}

internal static partial class ApiKeyRules
{
    public static IRuleBuilderOptions<T, string?> MustBeKeyName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(name => !string.IsNullOrWhiteSpace(name)).WithMessage("Name is required and cannot be empty.")
            .MaximumLength(ApiKeyLimits.NameMaxLength).WithMessage($"Name must be at most {ApiKeyLimits.NameMaxLength} characters.")
            .MustBePlainText();

    public static IRuleBuilderOptions<T, DateTimeOffset?> MustBeInTheFuture<T>(this IRuleBuilder<T, DateTimeOffset?> rule, TimeProvider time) =>
        rule.Must(expiresAt => expiresAt is null || expiresAt > time.GetUtcNow()).WithMessage("ExpiresAt must be in the future.");

    public static IRuleBuilderOptions<T, List<string>?> MustBeScopes<T>(this IRuleBuilder<T, List<string>?> rule) =>
        rule.Must(scopes => scopes is null || scopes.Count <= ApiKeyLimits.MaxScopes)
            .WithMessage($"Scopes must be at most {ApiKeyLimits.MaxScopes}.")
            .Must(scopes => scopes is null || scopes.TrueForAll(scope => scope is not null && Scope().IsMatch(scope)))
            .WithMessage($"Each scope must match {ApiKeyLimits.ScopePattern}.")
            .Must(scopes => scopes is null || scopes.Distinct(StringComparer.Ordinal).Count() == scopes.Count)
            .WithMessage("Scopes must be distinct.");

    public static IRuleBuilderOptions<T, JsonElement?> MustBeMeta<T>(this IRuleBuilder<T, JsonElement?> rule) =>
        rule.Must(meta => meta is null || meta.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null)
            .WithMessage("Meta must be a JSON object or null.")
            .Must(meta => meta is not { ValueKind: JsonValueKind.Object } || MetaJson.Serialize(meta.Value).Length <= ApiKeyLimits.MetaMaxBytes)
            .WithMessage($"Meta must be at most {ApiKeyLimits.MetaMaxBytes} bytes as JSON.");

    public static IRuleBuilderOptions<T, KeyRateLimit?> MustBeRateLimit<T>(this IRuleBuilder<T, KeyRateLimit?> rule) =>
        rule.Must(rate => rate is null || rate.Limit is >= 1 and <= ApiKeyLimits.MaxRateLimit)
            .WithMessage($"RateLimit limit must be from 1 to {ApiKeyLimits.MaxRateLimit}.")
            .Must(rate => rate is null || rate.WindowSeconds is >= 1 and <= ApiKeyLimits.MaxRateLimitWindowSeconds)
            .WithMessage($"RateLimit windowSeconds must be from 1 to {ApiKeyLimits.MaxRateLimitWindowSeconds}.");

    public static IRuleBuilderOptions<T, int?> MustBeRemaining<T>(this IRuleBuilder<T, int?> rule) =>
        rule.Must(remaining => remaining is null or >= 0 and <= ApiKeyLimits.MaxRemaining)
            .WithMessage($"Remaining must be from 0 to {ApiKeyLimits.MaxRemaining}, or null for unlimited.");

    public static IRuleBuilderOptions<T, KeyRefill?> MustBeRefill<T>(this IRuleBuilder<T, KeyRefill?> rule) =>
        rule.Must(refill => refill is null || refill.Amount is >= 1 and <= ApiKeyLimits.MaxRemaining)
            .WithMessage($"Refill amount must be from 1 to {ApiKeyLimits.MaxRemaining}.")
            .Must(refill => refill is null || RefillIntervals.IsKnown(refill.Interval))
            .WithMessage("Refill interval must be daily or monthly.");

    // ScopePattern as .NET must read it: its $ would also match before a final newline.
    [GeneratedRegex(@"\A[a-z][a-z0-9_.:-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Scope();
}

/// <summary>Meta as stored: compact JSON of an object, or null.</summary>
internal static class MetaJson
{
    public static byte[] Serialize(JsonElement meta) => JsonSerializer.SerializeToUtf8Bytes(meta);

    public static string? ToStored(JsonElement? meta) =>
        meta is { ValueKind: JsonValueKind.Object } value ? System.Text.Encoding.UTF8.GetString(Serialize(value)) : null;

    public static JsonElement? FromStored(string? stored) =>
        stored is null ? null : JsonDocument.Parse(stored).RootElement.Clone();
}
