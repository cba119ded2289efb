using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using FluentValidation;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// A change to a key, with JSON merge semantics: a field left out stays as it is, a field sent as
/// <c>null</c> is cleared.
/// </summary>
// A class with setters rather than a record: System.Text.Json calls the setters of the properties
// present in the body only, which is how "left out" and "null" are told apart.
public sealed class UpdateApiKeyRequest
{
    private readonly HashSet<string> _present = [];

    /// <summary>A new name, unique among your active keys; cannot be cleared.</summary>
    [MaxLength(ApiKeyLimits.NameMaxLength)]
    public string? Name { get; set => Set(ref field, value); }

    /// <summary>A new expiry in the future; null for none.</summary>
    public DateTimeOffset? ExpiresAt { get; set => Set(ref field, value); }

    /// <summary>The key's scopes, replacing the old ones; null or [] for none.</summary>
    [MaxLength(ApiKeyLimits.MaxScopes)]
    public List<string>? Scopes { get; set => Set(ref field, value); }

    /// <summary>Your own JSON object, replacing the old one; null clears it.</summary>
    public JsonElement? Meta { get; set => Set(ref field, value); }

    /// <summary>The rate limit, replacing the old one; null for none.</summary>
    public KeyRateLimit? RateLimit { get; set => Set(ref field, value); }

    /// <summary>Uses left, replacing the count (and starting a new refill period); null for unlimited.</summary>
    [Range(0, ApiKeyLimits.MaxRemaining)]
    public int? Remaining { get; set => Set(ref field, value); }

    /// <summary>The refill, replacing the old one; null for none. Needs remaining.</summary>
    public KeyRefill? Refill { get; set => Set(ref field, value); }

    public bool Has(string property) => _present.Contains(property);

    private void Set<T>(ref T field, T value, [System.Runtime.CompilerServices.CallerMemberName] string property = "")
    {
        field = value;
        _present.Add(property);
    }
}

internal sealed class UpdateApiKeyRequestValidator : AbstractValidator<UpdateApiKeyRequest>
{
    public UpdateApiKeyRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Name).MustBeKeyName().When(r => r.Has(nameof(r.Name)));
        RuleFor(r => r.ExpiresAt).MustBeInTheFuture(time);
        RuleFor(r => r.Scopes).MustBeScopes();
        RuleFor(r => r.Meta).MustBeMeta();
        RuleFor(r => r.RateLimit).MustBeRateLimit();
        RuleFor(r => r.Remaining).MustBeRemaining();
        RuleFor(r => r.Refill).MustBeRefill();
    }
}
