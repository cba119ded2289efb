using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>Opaque refresh tokens: <c>rt_</c> + 256 random bits, stored only as SHA-256.</summary>
public static class RefreshTokens
{
    public const int MaxLength = 200;
    public const string Marker = "rt_";

    public static string Generate() => Marker + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
