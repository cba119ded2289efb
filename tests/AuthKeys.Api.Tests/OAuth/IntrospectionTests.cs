using System.Net;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.OAuth;

/// <summary>A resource server asking whether a credential of its owner's is alive (RFC 7662).</summary>
public sealed class IntrospectionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;
    private HttpClient _client = null!;
    private Account _owner = null!;
    private CreatedKey _introspector = null!;

    public IntrospectionTests() => _api = new AuthKeysApiFactory { Time = _time };

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
        _owner = await _client.SignupAsync();
        _introspector = await KeyAsync(_owner, "tokens:introspect");
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task AnAccessTokenIsDescribed()
    {
        var answer = await IntrospectAsync(_owner.AccessToken);
        Assert.True(answer.GetProperty("active").GetBoolean());
        Assert.Equal("access_token", answer.GetProperty("token_type").GetString());
        Assert.Equal(_owner.UserId.ToString(), answer.GetProperty("sub").GetString());
        Assert.Equal("authkeys", answer.GetProperty("client_id").GetString());
        Assert.Equal(Jwts.Payload(_owner.AccessToken).GetProperty("sid").GetString(), answer.GetProperty("sid").GetString());
        Assert.Equal(Jwts.Payload(_owner.AccessToken).GetProperty("exp").GetInt64(), answer.GetProperty("exp").GetInt64());
        Assert.Equal("authkeys-tests", answer.GetProperty("iss").GetString());
        Assert.Equal("authkeys-tests-clients", answer.GetProperty("aud").GetString());
        Assert.False(answer.TryGetProperty("scope", out _));
    }

    [Fact]
    public async Task ARefreshTokenAnApiKeyAndAServiceTokenAreDescribed()
    {
        var refresh = await IntrospectAsync(_owner.RefreshToken);
        Assert.Equal("refresh_token", refresh.GetProperty("token_type").GetString());
        Assert.Equal(_owner.UserId.ToString(), refresh.GetProperty("sub").GetString());
        Assert.True(refresh.TryGetProperty("sid", out _));

        var key = await KeyAsync(_owner, "demo:read");
        var described = await IntrospectAsync(key.Key);
        Assert.Equal("api_key", described.GetProperty("token_type").GetString());
        Assert.Equal(key.Id.ToString(), described.GetProperty("client_id").GetString());
        Assert.Equal("demo:read", described.GetProperty("scope").GetString());
        Assert.False(described.TryGetProperty("exp", out _)); // the key never expires

        var serviceToken = await ServiceTokenAsync(key);
        var service = await IntrospectAsync(serviceToken);
        Assert.Equal("access_token", service.GetProperty("token_type").GetString());
        Assert.Equal(key.Id.ToString(), service.GetProperty("client_id").GetString());
        Assert.Equal("demo:read", service.GetProperty("scope").GetString());
        Assert.False(service.TryGetProperty("sid", out _));
    }

    [Fact]
    public async Task EveryInactiveCaseIsExactlyActiveFalse()
    {
        var stranger = await _client.SignupAsync();
        var strangersKey = await KeyAsync(stranger, "demo:read");
        var revokedKey = await KeyAsync(_owner, "demo:read");
        var revokedKeysToken = await ServiceTokenAsync(revokedKey);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(revokedKey.Id), _owner.AccessToken)).StatusCode);
        var expiringKey = await KeyAsync(_owner, "demo:read", expiresAt: _time.GetUtcNow().AddMinutes(1));
        var spent = _owner.RefreshToken;
        var next = await (await _client.PostAsync(Routes.Refresh, Json.Of(new { refreshToken = spent }))).ReadJsonAsync(HttpStatusCode.OK);
        var parts = _owner.AccessToken.Split('.');

        string[] inactive =
        [
            "not-a-token", "sk_" + new string('0', 64), "rt_unknown", $"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA",
            stranger.AccessToken, stranger.RefreshToken, strangersKey.Key,
            revokedKey.Key, revokedKeysToken, spent,
        ];
        foreach (var token in inactive)
            await AssertInactiveAsync(token);

        // Expired: the key after its expiry, an access token after its lifetime.
        _time.Advance(TimeSpan.FromMinutes(16));
        await AssertInactiveAsync(expiringKey.Key);
        await AssertInactiveAsync(next.GetProperty("accessToken").GetString()!);
    }

    [Fact]
    public async Task AfterLogoutAllEveryTokenOfTheAccountIsInactive()
    {
        var account = await _client.SignupAsync();
        var introspector = await KeyAsync(account, "tokens:introspect");
        Assert.True((await IntrospectAsync(account.AccessToken, introspector)).GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await _client.PostWithTokenAsync(Routes.LogoutAll, account.AccessToken)).StatusCode);
        Assert.Equal("{\"active\":false}", await IntrospectRawAsync(account.AccessToken, introspector));
        Assert.Equal("{\"active\":false}", await IntrospectRawAsync(account.RefreshToken, introspector));
    }

    [Fact]
    public async Task TheCallerMayAuthenticateWithBasicPostOrTheKeyHeader()
    {
        var basic = await _client.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = Routes.OAuthIntrospect, ClientId = _introspector.Id.ToString(), ClientSecret = _introspector.Key, Token = _owner.AccessToken,
        });
        Assert.False(basic.IsError, basic.Error);
        Assert.True(basic.IsActive);
        Assert.Equal("access_token", basic.TryGet("token_type"));

        var post = await _client.PostAsync(Routes.OAuthIntrospect, ClientCredentialsTests.Form(
            ("token", _owner.AccessToken), ("client_id", _introspector.Id.ToString()), ("client_secret", _introspector.Key)));
        Assert.True((await post.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("active").GetBoolean());
        Assert.Equal("no-store", post.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task ACallerWithoutTheScopeOrWithoutAKeyIsInvalidClient()
    {
        var plain = await KeyAsync(_owner, "demo:read");
        foreach (var request in new[] { Introspection(_owner.AccessToken, plain), Introspection(_owner.AccessToken, null) })
        {
            var response = await _client.SendAsync(request);
            var body = await response.ReadJsonAsync(HttpStatusCode.Unauthorized);
            Assert.Equal("invalid_client", body.GetProperty("error").GetString());
            Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task AMissingTokenIsInvalidRequest()
    {
        var response = await _client.PostAsync(Routes.OAuthIntrospect, ClientCredentialsTests.Form(
            ("client_id", _introspector.Id.ToString()), ("client_secret", _introspector.Key)));
        Assert.Equal("invalid_request", (await response.ReadJsonAsync(HttpStatusCode.BadRequest)).GetProperty("error").GetString());
    }

    private async Task AssertInactiveAsync(string token) =>
        Assert.Equal("{\"active\":false}", await IntrospectRawAsync(token, _introspector));

    private async Task<JsonElement> IntrospectAsync(string token, CreatedKey? caller = null) =>
        await (await _client.SendAsync(Introspection(token, caller ?? _introspector))).ReadJsonAsync(HttpStatusCode.OK);

    private async Task<string> IntrospectRawAsync(string token, CreatedKey caller)
    {
        var response = await _client.SendAsync(Introspection(token, caller));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>With the key in <c>x-api-key</c>, the third way a caller may authenticate.</summary>
    private static HttpRequestMessage Introspection(string token, CreatedKey? caller)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Routes.OAuthIntrospect) { Content = ClientCredentialsTests.Form(("token", token)) };
        if (caller is not null)
            request.Headers.Add("x-api-key", caller.Key);
        return request;
    }

    private async Task<string> ServiceTokenAsync(CreatedKey key)
    {
        var response = await _client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = Routes.OAuthToken, ClientId = key.Id.ToString(), ClientSecret = key.Key,
        });
        Assert.False(response.IsError, response.Error);
        return response.AccessToken!;
    }

    private async Task<CreatedKey> KeyAsync(Account account, string scope, DateTimeOffset? expiresAt = null)
    {
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = $"svc-{Guid.NewGuid():N}", scopes = new[] { scope }, expiresAt })).ReadJsonAsync(HttpStatusCode.Created);
        return new CreatedKey(created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }
}
