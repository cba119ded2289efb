using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.ApiKeys.Limits;

public sealed class KeyRateLimitTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    private async Task<(Account Account, Guid Id, string Key)> KeyAsync(object body)
    {
        var account = await _client.SignupAsync();
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, body)).ReadJsonAsync(HttpStatusCode.Created);
        return (account, created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }

    [Fact]
    public async Task AKeyGetsItsLimitPerWindowWithTheIetfHeadersOnEveryResponse()
    {
        var (_, _, key) = await KeyAsync(new { name = "limited", rateLimit = new { limit = 3, windowSeconds = 3600 } });
        for (var left = 2; left >= 0; left--)
        {
            var ok = await _client.GetWithKeyAsync(Routes.ServiceOnly, key);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("\"key\";q=3;w=3600", ok.Headers.GetValues("RateLimit-Policy").Single());
            var header = ok.Headers.GetValues("RateLimit").Single();
            Assert.StartsWith($"\"key\";r={left};t=", header, StringComparison.Ordinal);
            Assert.InRange(int.Parse(header[(header.LastIndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 1, 3600);
        }

        var refused = await _client.GetWithKeyAsync(Routes.Flexible, key);
        var problem = await refused.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("3 uses per 3600 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
        Assert.StartsWith("\"key\";r=0;t=", refused.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysWithoutALimitSendNoHeadersAndLimitsArePerKey()
    {
        var (account, _, limited) = await KeyAsync(new { name = "one", rateLimit = new { limit = 1, windowSeconds = 3600 } });
        var other = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "two", rateLimit = new { limit = 1, windowSeconds = 3600 } })).ReadJsonAsync(HttpStatusCode.Created);
        var plain = await _client.CreateKeyAsync(account.AccessToken);

        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, limited)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, other.GetProperty("key").GetString()!)).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            var response = await _client.GetWithKeyAsync(Routes.ServiceOnly, plain.Key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("RateLimit"));
        }
    }

    [Fact]
    public async Task AChangedLimitAppliesFromTheNextRequest()
    {
        var (account, id, key) = await KeyAsync(new { name = "changing", rateLimit = new { limit = 1, windowSeconds = 3600 } });
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);

        var raised = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { rateLimit = new { limit = 5, windowSeconds = 60 } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(5, raised.GetProperty("rateLimit").GetProperty("limit").GetInt32());
        var response = await _client.GetWithKeyAsync(Routes.ServiceOnly, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"key\";q=5;w=60", response.Headers.GetValues("RateLimit-Policy").Single());

        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { rateLimit = (object?)null })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).Headers.Contains("RateLimit"));
    }

    [Fact]
    public async Task AWindowEndsAndTheKeyGetsItsLimitAgain()
    {
        var (_, _, key) = await KeyAsync(new { name = "short", rateLimit = new { limit = 1, windowSeconds = 1 } });
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        await Poll.UntilAsync(async () => (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), "a one-second window ends");
    }

    [Theory]
    [InlineData("{\"name\":\"r\",\"rateLimit\":{\"limit\":0,\"windowSeconds\":60}}")]
    [InlineData("{\"name\":\"r\",\"rateLimit\":{\"limit\":1000001,\"windowSeconds\":60}}")]
    [InlineData("{\"name\":\"r\",\"rateLimit\":{\"limit\":10,\"windowSeconds\":0}}")]
    [InlineData("{\"name\":\"r\",\"rateLimit\":{\"limit\":10,\"windowSeconds\":86401}}")]
    public async Task RateLimitsOutsideTheirBoundsAre400(string body)
    {
        var account = await _client.SignupAsync();
        var problem = await (await _client.SendRawWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, body)).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("rateLimit", out _), problem.ToString());
    }
}
