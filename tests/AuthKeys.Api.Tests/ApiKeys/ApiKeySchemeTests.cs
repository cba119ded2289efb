using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.ApiKeys;

/// <summary>The x-api-key scheme on the three kinds of route, and the keys it refuses before any query.</summary>
public sealed class ApiKeySchemeTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task AKeyOpensTheServiceOnlyRouteAsAService()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);
        var body = await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("service", body.GetProperty("accessType").GetString());
        var user = body.GetProperty("user");
        Assert.Equal(owner.UserId, user.GetProperty("userId").GetGuid());
        Assert.Equal(owner.Email, user.GetProperty("email").GetString());
        Assert.Equal("service", user.GetProperty("type").GetString());
        Assert.Equal(key.Id, user.GetProperty("keyId").GetGuid());
        Assert.Equal(["userId", "email", "type", "keyId"], user.EnumerateObject().Select(p => p.Name)); // the reference's shape
    }

    [Fact]
    public async Task AJwtAloneDoesNotOpenTheServiceOnlyRoute()
    {
        var owner = await _client.SignupAsync();
        var response = await _client.GetWithTokenAsync(Routes.ServiceOnly, owner.AccessToken);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("ApiKey", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task TheFlexibleRouteAcceptsEitherAndTheKeyWinsWhenBothAreSent()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);

        var asUser = await (await _client.GetWithTokenAsync(Routes.Flexible, owner.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("user", asUser.GetProperty("accessType").GetString());
        var asService = await (await _client.GetWithKeyAsync(Routes.Flexible, key.Key)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("service", asService.GetProperty("accessType").GetString());

        var both = new HttpRequestMessage(HttpMethod.Get, Routes.Flexible) { Headers = { Authorization = new("Bearer", owner.AccessToken) } };
        both.Headers.Add("x-api-key", key.Key);
        var winner = await (await _client.SendAsync(both)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("service", winner.GetProperty("accessType").GetString());
    }

    [Fact]
    public async Task TheFlexibleRouteNamesBothSchemesWhenRefusing()
    {
        var response = await _client.GetAsync(Routes.Flexible);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(["Bearer", "ApiKey"], response.Headers.WwwAuthenticate.Select(h => h.Scheme));
    }

    [Theory]
    [InlineData("sk_123")]
    [InlineData("not-a-key")]
    [InlineData("SK_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sk_ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    public async Task MalformedKeysAreRefusedWithoutAQuery(string key)
    {
        api.SqlCommands.Reset();
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0, api.SqlCommands.Count);
    }


    [Fact]
    public async Task AnOversizedKeyHeaderIs401()
    {
        var response = await _client.GetWithKeyAsync(Routes.ServiceOnly, new string('a', 10_000));
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }
}
