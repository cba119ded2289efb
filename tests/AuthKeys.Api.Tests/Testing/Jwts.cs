using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>Reads and forges JWTs the way an attacker or a confused client would.</summary>
public static class Jwts
{
    public static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();

    /// <summary>
    /// A token with the claims of <paramref name="genuine"/>, changed by <paramref name="edit"/>,
    /// signed with <paramref name="credentials"/> (whose key's id becomes the <c>kid</c>) and typed <paramref name="type"/>.
    /// </summary>
    public static string Forge(string genuine, Action<Dictionary<string, object>> edit, SigningCredentials credentials, string type = "at+jwt") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }
            .CreateToken(JsonSerializer.Serialize(Claims(genuine, edit)), credentials, new Dictionary<string, object> { ["typ"] = type });

    /// <summary>An unsigned token (<c>alg: none</c>) with the claims of <paramref name="genuine"/>.</summary>
    public static string WithoutSignature(string genuine)
    {
        static string Encode(object value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
        return $"{Encode(new { alg = "none", typ = "at+jwt" })}.{Encode(Claims(genuine, _ => { }))}.";
    }

    /// <summary>HMAC credentials over <paramref name="secret"/> named <paramref name="kid"/>.</summary>
    public static SigningCredentials Hmac(string secret, string? kid = "shared-secret", string algorithm = SecurityAlgorithms.HmacSha256) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) { KeyId = kid }, algorithm);

    private static Dictionary<string, object> Claims(string genuine, Action<Dictionary<string, object>> edit)
    {
        var claims = Payload(genuine).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.Number => (object)p.Value.GetInt64(),
            JsonValueKind.True or JsonValueKind.False => p.Value.GetBoolean(),
            JsonValueKind.Array => p.Value.EnumerateArray().Select(e => e.GetString()!).ToArray(),
            _ => p.Value.GetString()!,
        });
        edit(claims);
        return claims;
    }

    public static JsonElement Header(string jwt) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0])).RootElement.Clone();
}
