using System.Text.RegularExpressions;

namespace AuthKeys.Api.Accounts;

public static partial class EmailAddress
{
    /// <summary>Emails are compared, stored and shown trimmed and lower-cased.</summary>
    public static string Normalize(string? email) => (email ?? "").Trim().ToLowerInvariant();

    /// <summary>One @, a dot in the domain, no whitespace or control characters: strict enough to catch typos, loose enough for real addresses.</summary>
    public static bool IsValid(string normalized) =>
        normalized.Length <= UserLimits.EmailMaxLength && Pattern().IsMatch(normalized);

    [GeneratedRegex(@"\A[^@\s\p{C}]+@[^@\s\p{C}.]+(\.[^@\s\p{C}.]+)+\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Pattern();
}
