using System.Text;

namespace AuthKeys.Api.Accounts;

/// <summary>
/// The 30,000 most common passwords of the list zxcvbn ships (Dropbox's strength estimator,
/// maintained as the zxcvbn-core package), refused at signup and password change (NIST SP 800-63B
/// 3.1.1.2, ASVS 6.2.4). Loaded once; a lookup is a binary search, case-insensitive.
/// </summary>
/// <remarks>
/// Held as one string of every password in order and where each begins, about 600 KB: a hash set
/// of 30,000 strings took about 2 MB of every node's heap for the same answers.
/// </remarks>
public sealed class CommonPasswords
{
    private const string Resource = "zxcvbn-core.Dictionaries.passwords.lst";

    // Cracking rules try a listed word with digits and symbols appended first ("Tangerine-Kite-42",
    // "dragon2024"), so such a password is as common as the word; a stem shorter than this is not
    // a word worth refusing for.
    private const int MinimumStem = 4;

    private readonly string _passwords;
    private readonly int[] _starts;

    public CommonPasswords()
    {
        using var stream = typeof(Zxcvbn.Zxcvbn).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The zxcvbn-core package no longer carries {Resource}.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var lines = new List<Range>(30_000);
        foreach (var line in text.AsSpan().Split('\n'))
        {
            if (text.AsSpan()[line].TrimEnd('\r').Length is > 0 and var length)
                lines.Add(new Range(line.Start, line.Start.Value + length));
        }
        lines.Sort((a, b) => text.AsSpan()[a].CompareTo(text.AsSpan()[b], StringComparison.OrdinalIgnoreCase));

        var sorted = new StringBuilder(text.Length);
        _starts = new int[lines.Count + 1];
        for (var i = 0; i < lines.Count; i++)
        {
            _starts[i] = sorted.Length;
            sorted.Append(text.AsSpan()[lines[i]]);
        }
        _starts[^1] = sorted.Length;
        _passwords = sorted.ToString();
    }

    public int Count => _starts.Length - 1;

    /// <summary>Whether the password, in the form it is hashed in (<see cref="PasswordText"/>), is listed or a listed word plus digits and symbols.</summary>
    public bool IsCommon(string password)
    {
        password = PasswordText.Normalize(password);
        if (Contains(password))
            return true;
        var stem = password.AsSpan().TrimEnd("0123456789!@#$%^&*()-_=+.,;:?~ ");
        return stem.Length >= MinimumStem && stem.Length < password.Length && Contains(stem);
    }

    private bool Contains(ReadOnlySpan<char> candidate)
    {
        var (low, high) = (0, Count - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = _passwords.AsSpan(_starts[middle], _starts[middle + 1] - _starts[middle]).CompareTo(candidate, StringComparison.OrdinalIgnoreCase);
            if (order == 0)
                return true;
            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }
        return false;
    }
}
