using System.Collections.Frozen;

namespace AuthKeys.Api.Accounts;

/// <summary>
/// The 30,000 most common passwords of the list zxcvbn ships (Dropbox's strength estimator,
/// maintained as the zxcvbn-core package), refused at signup and password change (NIST SP 800-63B
/// 3.1.1.2, ASVS 6.2.4). Loaded once; a lookup is one hash of the password, case-insensitive.
/// </summary>
public sealed class CommonPasswords
{
    private const string Resource = "zxcvbn-core.Dictionaries.passwords.lst";

    // Cracking rules try a listed word with digits and symbols appended first ("Tangerine-Kite-42",
    // "dragon2024"), so such a password is as common as the word; a stem shorter than this is not
    // a word worth refusing for.
    private const int MinimumStem = 4;

    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CommonPasswords()
    {
        using var stream = typeof(Zxcvbn.Zxcvbn).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The zxcvbn-core package no longer carries {Resource}.");
        using var reader = new StreamReader(stream);
        var passwords = new List<string>(30_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
                passwords.Add(line);
        }
        var set = passwords.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        Count = set.Count;
        _lookup = set.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count { get; }

    /// <summary>Whether the password, in the form it is hashed in (<see cref="PasswordText"/>), is listed or a listed word plus digits and symbols.</summary>
    public bool IsCommon(string password)
    {
        password = PasswordText.Normalize(password);
        if (_lookup.Contains(password))
            return true;
        var stem = password.AsSpan().TrimEnd("0123456789!@#$%^&*()-_=+.,;:?~ ");
        return stem.Length >= MinimumStem && stem.Length < password.Length && _lookup.Contains(stem);
    }
}
