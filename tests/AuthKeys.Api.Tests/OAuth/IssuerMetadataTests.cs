using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.OAuth;

public sealed class IssuerMetadataTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task BothMetadataDocumentsNameTheIssuerOfTheTokensAndItsEndpoints()
    {
        var openId = await (await _client.GetAsync(Routes.OpenIdConfiguration)).ReadJsonAsync(HttpStatusCode.OK);
        var oauth = await (await _client.GetAsync(Routes.AuthorizationServerMetadata)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(openId.GetRawText(), oauth.GetRawText());

        var account = await _client.SignupAsync();
        Assert.Equal(Jwts.Payload(account.AccessToken).GetProperty("iss").GetString(), openId.GetProperty("issuer").GetString());
        Assert.Equal("http://localhost/.well-known/jwks.json", openId.GetProperty("jwks_uri").GetString());
        Assert.Equal("http://localhost/oauth/token", openId.GetProperty("token_endpoint").GetString());
        Assert.Equal("http://localhost/oauth/introspect", openId.GetProperty("introspection_endpoint").GetString());
        Assert.Equal("http://localhost/oauth/revoke", openId.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(["client_credentials"], Strings(openId, "grant_types_supported"));
        Assert.Equal(["client_secret_basic", "client_secret_post"], Strings(openId, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["ES256"], Strings(openId, "id_token_signing_alg_values_supported"));
    }

    [Fact]
    public async Task TheKeySetHoldsThePublicKeyThatSignsAndNoPrivatePart()
    {
        var account = await _client.SignupAsync();
        var response = await _client.GetAsync(Routes.Jwks);
        var keys = (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("keys").EnumerateArray().ToList();
        var key = Assert.Single(keys);
        Assert.Equal(["kty", "crv", "x", "y", "kid", "use", "alg"], key.EnumerateObject().Select(p => p.Name));
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.Equal(Jwts.Header(account.AccessToken).GetProperty("kid").GetString(), key.GetProperty("kid").GetString());
        Assert.Equal(43, key.GetProperty("x").GetString()!.Length); // 32 bytes, base64url
        Assert.Contains("max-age", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    private static List<string?> Strings(System.Text.Json.JsonElement document, string name) =>
        [.. document.GetProperty(name).EnumerateArray().Select(e => e.GetString())];
}
