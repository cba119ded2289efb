using System.Text;
using FluentValidation;

namespace AuthKeys.Api.Infrastructure.Validation;

public static class TextRules
{
    /// <summary>No control characters (PostgreSQL cannot store NUL) and well-formed UTF-16 (no lone surrogates).</summary>
    public static IRuleBuilderOptions<T, string?> MustBePlainText<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(text => text is null || (IsWellFormed(text) && !text.Any(char.IsControl)))
            .WithMessage("{PropertyName} must not contain control characters or malformed Unicode.");

    public static bool IsWellFormed(string text)
    {
        var remaining = text.AsSpan();
        while (!remaining.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(remaining, out _, out var consumed) != System.Buffers.OperationStatus.Done)
                return false;
            remaining = remaining[consumed..];
        }
        return true;
    }
}
