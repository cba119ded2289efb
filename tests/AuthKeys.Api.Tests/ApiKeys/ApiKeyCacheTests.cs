using System.Net;
using System.Security.Claims;
using AuthKeys.Api.Tests.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AuthKeys.Api.Tests.ApiKeys;

/// <summary>How many queries a key costs: one lookup, then memory, bounded, and never stale after a revoke.</summary>
public sealed class ApiKeyCacheTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task AKeyWithOneCharacterChangedFailsItsChecksumWithoutAQuery()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);
        var typo = key.Key[..20] + (key.Key[20] == 'a' ? 'b' : 'a') + key.Key[21..];
        api.SqlCommands.Reset();
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, typo)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0, api.SqlCommands.Count);
    }

    [Fact]
    public async Task AWellFormedButUnknownKeyCostsOneQueryAndIsRefused()
    {
        var body = new string('0', 56);
        var unknown = "sk_" + body + ApiKeyManagementTests.Crc32Hex(body);
        api.SqlCommands.Reset();
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, unknown)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(1, api.SqlCommands.Count);
    }

    [Fact]
    public async Task AValidKeyIsLookedUpOnceThenServedFromMemory()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);
        api.SqlCommands.Reset();
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(1, api.SqlCommands.Count);
    }

    [Fact]
    public async Task TheCacheSizeSettingBoundsHowManyKeysStayInMemory()
    {
        await using var small = new AuthKeysApiFactory { Settings = { ["APIKEY_CACHE_SIZE"] = "100" } };
        await small.StartAsync();
        var client = small.CreateClient();
        var owner = await client.SignupAsync();
        var keys = new List<string>();
        for (var i = 0; i < 150; i++)
            keys.Add((await client.CreateKeyAsync(owner.AccessToken)).Key);
        foreach (var key in keys)
            Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);

        small.SqlCommands.Reset();
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, keys[^1])).StatusCode);
        Assert.Equal(0, small.SqlCommands.Count); // the latest still in memory
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, keys[0])).StatusCode);
        Assert.Equal(1, small.SqlCommands.Count); // the least recently used made room for later ones
    }

    [Fact]
    public async Task EveryRequestGetsItsOwnPrincipalEvenFromTheCache()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);

        async Task<ClaimsPrincipal> AuthenticateAsync()
        {
            await using var scope = api.Services.CreateAsyncScope();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Request.Headers["x-api-key"] = key.Key;
            var result = await context.AuthenticateAsync("ApiKey");
            Assert.True(result.Succeeded);
            return result.Principal;
        }

        var first = await AuthenticateAsync();
        ((ClaimsIdentity)first.Identity!).AddClaim(new Claim("role", "admin"));
        var second = await AuthenticateAsync();
        Assert.NotSame(first, second);
        Assert.Null(second.FindFirst("role"));
        Assert.Equal(owner.UserId.ToString(), second.FindFirst("sub")?.Value);
    }

    [Fact]
    public async Task VerificationStaysOneLookupWithTenThousandStoredKeys()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);
        await using (var db = api.OpenDatabase())
        {
            Assert.Equal(10_000, (await db.InsertKeysAsync(owner.UserId, 10_000)).Count);
            await using var analyze = new NpgsqlCommand("ANALYZE api_keys", db);
            await analyze.ExecuteNonQueryAsync();
            await using var plan = new NpgsqlCommand("EXPLAIN SELECT id FROM api_keys WHERE key_hash = sha256('x')", db);
            Assert.Contains("ix_api_keys_key_hash", (string)(await plan.ExecuteScalarAsync())!, StringComparison.Ordinal);
        }

        api.SqlCommands.Reset();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(1, api.SqlCommands.Count);
    }


    [Fact]
    public async Task ConcurrentRevokeAndUseNeverLetsTheKeyThroughAfterTheRevokeReturned()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);
        using var stop = new CancellationTokenSource();
        var hammer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key);
        });
        await Task.Delay(50);
        var revoke = new HttpRequestMessage(HttpMethod.Delete, Routes.Key(key.Id)) { Headers = { Authorization = new("Bearer", owner.AccessToken) } };
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(revoke)).StatusCode);
        var afterRevoke = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)));
        await stop.CancelAsync();
        await hammer;
        Assert.All(afterRevoke, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
    }

    /// <summary>A new user and <paramref name="count"/> keys of theirs stored in bulk.</summary>
}
