using System.Net;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.ApiKeys.Limits;

/// <summary>Own service with a controllable clock set just before a month's last midnight.</summary>
public sealed class UsageQuotaTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 30, 23, 58, 0, TimeSpan.Zero));
    private readonly AuthKeysApiFactory _api;
    private HttpClient _client = null!;

    public UsageQuotaTests() => _api = new AuthKeysApiFactory { Time = _time };

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    private async Task<(Account Account, Guid Id, string Key)> KeyAsync(object body)
    {
        var account = await _client.SignupAsync();
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, body)).ReadJsonAsync(HttpStatusCode.Created);
        return (account, created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }

    private async Task<int?> RemainingAsync(Account account, Guid id)
    {
        var key = await (await _client.GetWithTokenAsync(Routes.Key(id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        return key.GetProperty("remaining").ValueKind == System.Text.Json.JsonValueKind.Null ? null : key.GetProperty("remaining").GetInt32();
    }

    [Fact]
    public async Task TwoHundredConcurrentUsesOfAKeyWithFiftyLeftGetExactlyFiftySuccesses()
    {
        var (account, id, key) = await KeyAsync(new { name = "metered", remaining = 50 });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ => (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode));

        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(150, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(0, await RemainingAsync(account, id));
    }

    [Fact]
    public async Task AtZeroTheKeyAnswersUsageExceeded()
    {
        var (account, id, key) = await KeyAsync(new { name = "three", remaining = 3 });
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.Flexible, key)).StatusCode);

        var exceeded = await _client.GetWithKeyAsync(Routes.ServiceOnly, key);
        var problem = await exceeded.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.EndsWith("usage-exceeded", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Null(exceeded.Headers.RetryAfter); // no refill: no point in retrying
        Assert.Equal(0, await RemainingAsync(account, id));

        // Not a guessing attempt: the address is not throttled for it, and a PATCH gives more at once.
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { remaining = 2 })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { remaining = (int?)null })).ReadJsonAsync(HttpStatusCode.OK);
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        Assert.Null(await RemainingAsync(account, id));
    }

    [Fact]
    public async Task ADailyRefillHappensAtMidnightUtcOncePerDay()
    {
        var (account, id, key) = await KeyAsync(new { name = "daily", remaining = 1, refill = new { amount = 3, interval = "daily" } });
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        var exceeded = await _client.GetWithKeyAsync(Routes.ServiceOnly, key);
        await exceeded.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(exceeded.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 120); // midnight is 2 minutes away

        _time.Advance(TimeSpan.FromMinutes(3)); // 00:01 the next day
        Assert.Equal(3, await RemainingAsync(account, id)); // due, shown before the next use applies it
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        _time.Advance(TimeSpan.FromHours(20)); // still the same day: no second refill
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task AMonthlyRefillWaitsForTheFirstOfTheMonth()
    {
        var (account, id, key) = await KeyAsync(new { name = "monthly", remaining = 0, refill = new { amount = 2, interval = "monthly" } });
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        _time.Advance(TimeSpan.FromMinutes(3)); // January 31st: still January
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        _time.Advance(TimeSpan.FromDays(1)); // February 1st
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        var fresh = (await _client.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!; // a day later, the old access token has expired
        Assert.Equal(1, await RemainingAsync(account with { AccessToken = fresh }, id));
    }

    [Fact]
    public async Task ARollCarriesTheQuotaOver()
    {
        var (account, id, _) = await KeyAsync(new { name = "rolled", remaining = 7, refill = new { amount = 10, interval = "daily" } });
        var rolled = await (await _client.SendWithTokenAsync(HttpMethod.Post, $"/keys/{id}/roll", account.AccessToken)).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(7, rolled.GetProperty("remaining").GetInt32());
        Assert.Equal(10, rolled.GetProperty("refill").GetProperty("amount").GetInt32());
        Assert.Equal("daily", rolled.GetProperty("refill").GetProperty("interval").GetString());
    }

    [Theory]
    [InlineData("remaining", "{\"name\":\"q\",\"remaining\":-1}")]
    [InlineData("remaining", "{\"name\":\"q\",\"remaining\":1000000001}")]
    [InlineData("refill", "{\"name\":\"q\",\"refill\":{\"amount\":5,\"interval\":\"daily\"}}")]
    [InlineData("refill", "{\"name\":\"q\",\"remaining\":5,\"refill\":{\"amount\":5,\"interval\":\"weekly\"}}")]
    [InlineData("refill", "{\"name\":\"q\",\"remaining\":5,\"refill\":{\"amount\":0,\"interval\":\"daily\"}}")]
    public async Task QuotasOutsideTheirLimitsAre400NamingTheField(string field, string body)
    {
        var account = await _client.SignupAsync();
        var problem = await (await _client.SendRawWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, body)).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task APatchCannotLeaveARefillWithoutRemaining()
    {
        var (account, id, _) = await KeyAsync(new { name = "refilled", remaining = 1, refill = new { amount = 2, interval = "daily" } });
        var problem = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { remaining = (int?)null }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("refill", out _));
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { remaining = (int?)null, refill = (object?)null }))
            .ReadJsonAsync(HttpStatusCode.OK);
    }
}
