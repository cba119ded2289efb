using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Nodes;
using AuthKeys.Api.RateLimiting;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuthKeys.Api.Tests.Nodes;

/// <summary>
/// Two nodes counting per-IP limits in one Redis (behind a proxy this class can cut). Under the test
/// server every request comes from the same unknown address, so every request below counts for one client.
/// </summary>
public sealed class SharedLimitTests : IAsyncLifetime
{
    private const int LoginLimit = 6;
    private const int KeyFailureLimit = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private TcpProxy _redis = null!;
    private DnsEndPoint _server = null!;
    private int _database;
    private TwoNodes _nodes = null!;

    private AuthKeysApiFactory A => _nodes.A;

    private AuthKeysApiFactory B => _nodes.B;

    public async Task InitializeAsync()
    {
        (_server, _database) = await TestRedis.CreateDatabaseAsync();
        _redis = TcpProxy.Start(_server.Host, _server.Port);
        var settings = new[]
        {
            ("REDIS_URL", $"redis://127.0.0.1:{_redis.Port}/{_database}"),
            ("AUTH_RATE_LIMIT_PER_MINUTE", LoginLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("APIKEY_FAILURES_PER_MINUTE", KeyFailureLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        _nodes = await TwoNodes.StartAsync(settings);
        await UntilSharedAsync();
    }

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        _redis.Dispose();
    }

    [Fact]
    public async Task APerIpLoginLimitOfNIsReachedByNRequestsSpreadOverBothNodes()
    {
        var nodes = new[] { A.CreateClient(), B.CreateClient() };
        for (var i = 0; i < LoginLimit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(nodes[i % 2])).StatusCode);

        foreach (var node in nodes)
        {
            var refused = await LoginAsync(node);
            await refused.ReadProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 60 });
        }
        Assert.NotEmpty(await SharedKeysAsync("rl:fw:{authkeys:auth:*"));
    }

    [Fact]
    public async Task ApiKeyFailuresFromOneAddressAreCountedAcrossNodes()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var key = await a.CreateKeyAsync(account.AccessToken);

        for (var i = 0; i < KeyFailureLimit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await (i % 2 == 0 ? a : b).GetWithKeyAsync(Routes.ServiceOnly, $"sk_guess{i}")).StatusCode);

        // B counted the last allowed failure and refuses the address at once; A learns it from its next failure.
        await (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        await (await a.GetWithKeyAsync(Routes.ServiceOnly, "sk_guess-again")).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        await (await a.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task AKeysRateLimitIsSharedByBothNodes()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var created = await (await a.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "limited", rateLimit = new { limit = 4, windowSeconds = 3600 } })).ReadJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.OK, (await (i % 2 == 0 ? a : b).GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        foreach (var node in new[] { a, b })
        {
            var refused = await node.GetWithKeyAsync(Routes.ServiceOnly, key);
            await refused.ReadProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.StartsWith("\"key\";r=0;", refused.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithRedisAwayTheNodesKeepAnsweringCountAloneAndShareAgainWhenItReturns()
    {
        var nodes = new[] { A.CreateClient(), B.CreateClient() };
        var account = await nodes[0].SignupAsync();
        var key = await nodes[0].CreateKeyAsync(account.AccessToken);

        _redis.Cut();
        foreach (var node in nodes)
        {
            Assert.Equal(HttpStatusCode.OK, (await node.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await node.GetWithKeyAsync(Routes.ServiceOnly, "sk_guess")).StatusCode);
            // Counting alone: each node allows the whole limit (the signup above went to Redis, or not).
            for (var i = 0; i < LoginLimit - 1; i++)
                Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(node)).StatusCode);
        }
        foreach (var node in new[] { A, B })
        {
            var warnings = node.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("Redis is unreachable", StringComparison.Ordinal));
            Assert.Single(warnings); // once per outage, not once per request
        }

        _redis.Restore();
        await UntilSharedAsync();
        var before = (await SharedKeysAsync("rl:fw:{authkeys:auth:*")).Count;
        await (await LoginAsync(nodes[1])).Content.ReadAsStringAsync();
        Assert.NotEmpty(await SharedKeysAsync("rl:fw:{authkeys:auth:*"));
        Assert.True(before <= (await SharedKeysAsync("rl:fw:{authkeys:auth:*")).Count);
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client) =>
        client.PostAsJsonAsync(Routes.Login, new { email = "nobody@example.com", password = "wrong-password" });

    private Task UntilSharedAsync() => Poll.UntilAsync(
        () => Task.FromResult(new[] { A, B }.All(node => node.Services.GetRequiredService<SharedCounterStore>().Available is not null)),
        Bound, "both nodes count in Redis");

    private async Task<List<RedisKey>> SharedKeysAsync(string pattern)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{_server.Host}:{_server.Port}");
        return connection.GetServer(_server.Host, _server.Port).Keys(_database, pattern).ToList();
    }
}
