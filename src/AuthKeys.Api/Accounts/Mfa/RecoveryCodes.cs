using System.Security.Cryptography;
using System.Text;

namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>
/// Ten single-use codes for when the phone is lost: 10 characters (50 bits) from an alphabet
/// without look-alikes (no 0/O, 1/I/L), shown as XXXXX-XXXXX and read ignoring case and the dash.
/// </summary>
public static class RecoveryCodes
{
    public const int Count = 10;

    /// <summary>Longest input that could be a code (with a dash and spaces around it).</summary>
    public const int MaxInputLength = 16;

    private const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    private const int Length = 10;
    private const int SaltSize = 16;
    private const int HashSize = 32;

    // Slow enough that a copy of the database does not give the codes away quickly; guessing
    // through the service is bounded by the lockout, and a login checks at most ten of them.
    private const int Iterations = 20_000;

    public static List<string> Generate() =>
        Enumerable.Range(0, Count).Select(_ => RandomNumberGenerator.GetString(Alphabet, Length).Insert(Length / 2, "-")).ToList();

    /// <summary>The code as compared: dash and spaces dropped, upper case; null when it cannot be one.</summary>
    public static string? Normalize(string input)
    {
        var code = input.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return code.Length == Length && code.All(Alphabet.Contains) ? code : null;
    }

    public static byte[] Hash(string code)
    {
        var hashed = new byte[SaltSize + HashSize];
        RandomNumberGenerator.Fill(hashed.AsSpan(0, SaltSize));
        Derive(Normalize(code)!, hashed.AsSpan(0, SaltSize), hashed.AsSpan(SaltSize));
        return hashed;
    }

    public static bool Matches(string normalizedCode, byte[] hashed)
    {
        Span<byte> candidate = stackalloc byte[HashSize];
        Derive(normalizedCode, hashed.AsSpan(0, SaltSize), candidate);
        return CryptographicOperations.FixedTimeEquals(candidate, hashed.AsSpan(SaltSize));
    }

    private static void Derive(string code, ReadOnlySpan<byte> salt, Span<byte> destination) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(code), salt, destination, Iterations, HashAlgorithmName.SHA256);
}
