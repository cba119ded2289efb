using System.Net;
using System.Net.Http.Json;
using System.Text;
using AuthKeys.Api.Tests.Testing;
using Duende.IdentityModel.Client;

namespace AuthKeys.Api.Tests.OAuth;

/// <summary>A service trading its key for a token, through a maintained OAuth client library.</summary>
public sealed class ClientCredentialsTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task AKeyTradedWithBasicAuthenticationGetsATokenThatActsAsTheKey()
    {
        var (account, key) = await KeyAsync(["demo:read", "keys:verify"]);
        var response = await _client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = Routes.OAuthToken,
            ClientId = key.Id.ToString(),
            ClientSecret = key.Key,
            ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader,
        });
        Assert.False(response.IsError, response.Error);
        Assert.Equal("Bearer", response.TokenType);
        Assert.Equal(300, response.ExpiresIn);
        Assert.Null(response.RefreshToken);
        Assert.Equal("demo:read keys:verify", response.Scope);
        Assert.Equal("no-store", response.HttpResponse!.Headers.CacheControl!.ToString());

        var claims = Jwts.Payload(response.AccessToken!);
        Assert.Equal(key.Id.ToString(), claims.GetProperty("client_id").GetString());
        Assert.Equal(account.UserId.ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal("at+jwt", Jwts.Header(response.AccessToken!).GetProperty("typ").GetString());

        // On AuthKeys' own routes it is the key's caller, on key routes and either-routes alike.
        foreach (var route in new[] { Routes.ServiceOnly, Routes.Flexible, Routes.Scoped })
        {
            var body = await (await _client.GetWithTokenAsync(route, response.AccessToken!)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("service", body.GetProperty("accessType").GetString());
            Assert.Equal(key.Id, body.GetProperty("user").GetProperty("keyId").GetGuid());
        }
        // It is not a person: routes for people refuse it.
        await (await _client.GetWithTokenAsync(Routes.UserOnly, response.AccessToken!)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetWithTokenAsync(Routes.Me, response.AccessToken!)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ClientSecretPostWorksAndANarrowerScopeNarrowsTheToken()
    {
        var (_, key) = await KeyAsync(["demo:read", "keys:verify"]);
        var response = await _client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = Routes.OAuthToken,
            ClientId = key.Id.ToString(),
            ClientSecret = key.Key,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = "keys:verify",
        });
        Assert.False(response.IsError, response.Error);
        Assert.Equal("keys:verify", response.Scope);
        // Without demo:read the scoped route answers 403, as it would for such a key.
        await (await _client.GetWithTokenAsync(Routes.Scoped, response.AccessToken!)).ReadProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AScopeTheKeyDoesNotCarryIsInvalidScope()
    {
        var (_, key) = await KeyAsync(["demo:read"]);
        var response = await RequestAsync(key, scope: "demo:read keys:verify");
        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("invalid_scope", response.Error);
    }

    [Theory]
    [InlineData("wrong-secret")]
    [InlineData("wrong-id")]
    [InlineData("revoked")]
    public async Task AWrongOrDeadKeyIsInvalidClientWithABasicChallenge(string what)
    {
        var (account, key) = await KeyAsync([]);
        var other = await _client.CreateKeyAsync(account.AccessToken);
        if (what == "revoked")
            Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(key.Id), account.AccessToken)).StatusCode);
        var presented = what switch
        {
            "wrong-secret" => key with { Key = other.Key },
            "wrong-id" => key with { Id = Guid.NewGuid() },
            _ => key,
        };
        var response = await RequestAsync(presented);
        Assert.Equal(HttpStatusCode.Unauthorized, response.HttpStatusCode);
        // For a status other than 400 the library reports the HTTP reason; the body is OAuth's still.
        Assert.Equal("invalid_client", response.TryGet("error"));
        Assert.False(string.IsNullOrEmpty(response.TryGet("error_description")));
        Assert.Equal("Basic", response.HttpResponse!.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task NoClientAuthenticationIsInvalidClient()
    {
        var response = await _client.PostAsync(Routes.OAuthToken, Form(("grant_type", "client_credentials")));
        var body = await response.ReadJsonAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AnotherGrantTypeIsUnsupported()
    {
        var (_, key) = await KeyAsync([]);
        var response = await _client.PostAsync(Routes.OAuthToken, Form(("grant_type", "password"), ("client_id", key.Id.ToString()), ("client_secret", key.Key)));
        var body = await response.ReadJsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal("unsupported_grant_type", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task MalformedRequestsAreInvalidRequestInOAuthsShape()
    {
        var (_, key) = await KeyAsync([]);
        var id = key.Id.ToString();
        HttpContent[] bodies =
        [
            JsonContent.Create(new { grant_type = "client_credentials", client_id = id, client_secret = key.Key }),
            new StringContent($"grant_type=client_credentials&grant_type=client_credentials&client_id={id}&client_secret={key.Key}", Encoding.ASCII, "application/x-www-form-urlencoded"),
            Form(("client_id", id), ("client_secret", key.Key)),
            Form(("grant_type", "client_credentials"), ("scope", new string('a', 9000)), ("client_id", id), ("client_secret", key.Key)),
        ];
        foreach (var body in bodies)
        {
            var response = await _client.PostAsync(Routes.OAuthToken, body);
            var error = await response.ReadJsonAsync(HttpStatusCode.BadRequest);
            Assert.Equal("invalid_request", error.GetProperty("error").GetString());
            Assert.Equal(["error", "error_description"], error.EnumerateObject().Select(p => p.Name));
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task IssuingCountsAsAUseOfTheKeyAndItsLimitsRefuseWith429()
    {
        var account = await _client.SignupAsync();
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "metered", remaining = 2 })).ReadJsonAsync(HttpStatusCode.Created);
        var key = new CreatedKey(created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);

        Assert.False((await RequestAsync(key)).IsError);
        var listed = await (await _client.GetWithTokenAsync(Routes.Key(key.Id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, listed.GetProperty("remaining").GetInt32());
        Assert.False((await RequestAsync(key)).IsError);
        var refused = await RequestAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.HttpStatusCode);
        Assert.Equal("usage_exceeded", refused.TryGet("error"));
    }

    [Fact]
    public async Task TheTokenDiesWithItsKey()
    {
        var (account, key) = await KeyAsync([]);
        var token = (await RequestAsync(key)).AccessToken!;
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.ServiceOnly, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(key.Id), account.AccessToken)).StatusCode);
        await (await _client.GetWithTokenAsync(Routes.ServiceOnly, token)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetWithTokenAsync(Routes.Flexible, token)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    private Task<TokenResponse> RequestAsync(CreatedKey key, string? scope = null) =>
        _client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = Routes.OAuthToken,
            ClientId = key.Id.ToString(),
            ClientSecret = key.Key,
            Scope = scope,
        });

    private async Task<(Account Account, CreatedKey Key)> KeyAsync(string[] scopes)
    {
        var account = await _client.SignupAsync();
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = $"svc-{Guid.NewGuid():N}", scopes })).ReadJsonAsync(HttpStatusCode.Created);
        return (account, new CreatedKey(created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!));
    }

    internal static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
}
