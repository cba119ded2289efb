using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>Reads and forges JWTs the way an attacker or a confused client would.</summary>
public static class Tokens
{
    public static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();

    /// <summary>A token with the claims of <paramref name="genuine"/>, changed by <paramref name="edit"/>, signed as asked.</summary>
    public static string Forge(string genuine, Action<Dictionary<string, object>> edit, string algorithm = SecurityAlgorithms.HmacSha256, string secret = AuthKeysApiFactory.JwtSecret)
    {
        var claims = Payload(genuine).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.Number => (object)p.Value.GetInt64(),
            JsonValueKind.True or JsonValueKind.False => p.Value.GetBoolean(),
            JsonValueKind.Array => p.Value.EnumerateArray().Select(e => e.GetString()!).ToArray(),
            _ => p.Value.GetString()!,
        });
        edit(claims);
        if (algorithm == "none")
        {
            static string Encode(object value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
            return $"{Encode(new { alg = "none", typ = "JWT" })}.{Encode(claims)}.";
        }
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(JsonSerializer.Serialize(claims), new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), algorithm));
    }
}
