using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// <c>sk_</c> + 56 hex characters of CSPRNG output + 8 hex characters of CRC-32 over those 56
/// characters. The checksum lets a typo or a made-up key be refused without a database query,
/// and lets secret scanners recognise real keys offline.
/// </summary>
public static class ApiKeyFormat
{
    public const string Marker = "sk_";
    public const int Length = 67;
    public const int PrefixLength = 11;
    private const int RandomHexLength = 56;

    public static string Generate()
    {
        Span<byte> random = stackalloc byte[RandomHexLength / 2];
        RandomNumberGenerator.Fill(random);
        var body = Convert.ToHexStringLower(random);
        return Marker + body + Checksum(body);
    }

    /// <summary>Shape and checksum only: cheap, allocation-free, no I/O.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> key)
    {
        if (key.Length != Length || !key.StartsWith(Marker, StringComparison.Ordinal))
            return false;
        var hex = key[Marker.Length..];
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        Span<byte> ascii = stackalloc byte[RandomHexLength];
        Encoding.ASCII.GetBytes(hex[..RandomHexLength], ascii);
        Span<char> expected = stackalloc char[8];
        FormatChecksum(Crc32.HashToUInt32(ascii), expected);
        return hex[RandomHexLength..].SequenceEqual(expected);
    }

    public static byte[] Hash(ReadOnlySpan<char> key)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        Hash(key, hash);
        return hash;
    }

    public static void Hash(ReadOnlySpan<char> key, Span<byte> destination)
    {
        Span<byte> ascii = stackalloc byte[Length];
        var count = Encoding.ASCII.GetBytes(key, ascii);
        // One reusable hash per thread: the one-shot API sets up a fresh digest context each call,
        // which costs more than hashing 67 bytes.
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(ascii[..count]);
        sha256.GetHashAndReset(destination);
    }

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    public static string DisplayPrefix(string key) => key[..PrefixLength];

    private static string Checksum(string body)
    {
        Span<char> text = stackalloc char[8];
        FormatChecksum(Crc32.HashToUInt32(Encoding.ASCII.GetBytes(body)), text);
        return new string(text);
    }

    private static void FormatChecksum(uint crc, Span<char> destination)
    {
        Span<byte> bigEndian = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bigEndian, crc);
        Convert.TryToHexStringLower(bigEndian, destination, out _);
    }
}

public static class ApiKeyLimits
{
    public const int NameMaxLength = 100;

    public const int MaxScopes = 32;

    /// <summary>A scope: lower case, starting with a letter, at most 64 characters (<c>demo:read</c>, <c>keys:verify</c>).</summary>
    public const string ScopePattern = "^[a-z][a-z0-9_.:-]{0,63}$";

    public const int ScopeMaxLength = 64;

    public const int MaxRemaining = 1_000_000_000;

    public const int MaxRateLimit = 1_000_000;

    public const int MaxRateLimitWindowSeconds = 86_400;

    /// <summary>The owner's own data on a key, as serialized JSON.</summary>
    public const int MetaMaxBytes = 1024;
}
