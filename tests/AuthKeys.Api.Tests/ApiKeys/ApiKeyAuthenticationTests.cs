using System.Net;
using System.Security.Claims;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AuthKeys.Api.Tests.ApiKeys;

public sealed class ApiKeyAuthenticationTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
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
        await ((IAsyncLifetime)small).InitializeAsync();
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
            Assert.Equal(10_000, (await InsertKeysAsync(db, owner.UserId, 10_000)).Count);
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
    public async Task ThousandsOfKeyUsesAreAllWrittenInOneFlush()
    {
        var (owner, keyIds) = await OwnerWithStoredKeysAsync(2500);

        var recorder = api.Services.GetRequiredService<ApiKeyUsageRecorder>();
        var usedAt = DateTimeOffset.UtcNow;
        foreach (var id in keyIds)
            recorder.Record(id, usedAt);
        await recorder.FlushAsync(CancellationToken.None);

        await using var check = api.OpenDatabase();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM api_keys WHERE user_id = @user AND last_used_at IS NOT NULL", check);
        count.Parameters.AddWithValue("user", owner);
        Assert.Equal(2500L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task UsesRacingFlushesAreNeverLost()
    {
        var (owner, keyIds) = await OwnerWithStoredKeysAsync(2000);
        var recorder = new ApiKeyUsageRecorder(api.Services.GetRequiredService<NpgsqlDataSource>());
        var firstUse = DateTimeOffset.UnixEpoch.AddYears(56);
        var secondUse = firstUse.AddMinutes(1);

        // Each key is used twice, about a millisecond apart, while flushes run back to back: for
        // many keys a flush picks up the first use and is still writing it when the second lands.
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            foreach (var chunk in keyIds.Chunk(10).Where((_, i) => i % 4 == worker))
            {
                foreach (var keyId in chunk)
                    recorder.Record(keyId, firstUse);
                await Task.Delay(1);
                foreach (var keyId in chunk)
                    recorder.Record(keyId, secondUse);
            }
        })).ToArray();
        var flushes = 0;
        while (!workers.All(w => w.IsCompleted))
        {
            await recorder.FlushAsync(CancellationToken.None);
            flushes++;
        }
        await Task.WhenAll(workers);
        await recorder.FlushAsync(CancellationToken.None);
        Assert.True(flushes > 1, "the flushes should overlap the uses");

        await using var check = api.OpenDatabase();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM api_keys WHERE user_id = @user AND last_used_at = @second", check);
        query.Parameters.AddWithValue("user", owner);
        query.Parameters.AddWithValue("second", secondUse);
        Assert.Equal(2000L, await query.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AnOversizedKeyHeaderIs401()
    {
        var response = await _client.GetWithKeyAsync(Routes.ServiceOnly, new string('a', 10_000));
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
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
    private async Task<(Guid Owner, List<Guid> KeyIds)> OwnerWithStoredKeysAsync(int count)
    {
        var owner = await _client.SignupAsync();
        await using var db = api.OpenDatabase();
        return (owner.UserId, await InsertKeysAsync(db, owner.UserId, count));
    }

    /// <summary>Stored keys in bulk, straight into the table (no secrets anyone could send); their ids.</summary>
    private static async Task<List<Guid>> InsertKeysAsync(NpgsqlConnection db, Guid owner, int count)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO api_keys (id, user_id, name, prefix, key_hash, is_active, created_at, updated_at)
            SELECT gen_random_uuid(), @user, 'bulk-' || i, 'sk_00000000', sha256(convert_to('bulk' || i || @user::text, 'UTF8')), true, now(), now()
            FROM generate_series(1, @count) AS i
            RETURNING id
            """, db);
        insert.Parameters.AddWithValue("user", owner);
        insert.Parameters.AddWithValue("count", count);
        var ids = new List<Guid>(count);
        await using var reader = await insert.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            ids.Add(reader.GetGuid(0));
        return ids;
    }
}

public sealed class ApiKeyLastUsedTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_api).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_api).DisposeAsync();

    [Fact]
    public async Task UsesAreNotWrittenPerRequestButAreFlushedWhenTheHostStops()
    {
        var client = _api.CreateClient();
        var owner = await client.SignupAsync();
        var key = await client.CreateKeyAsync(owner.AccessToken);
        _api.SqlCommands.Reset();
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(1, _api.SqlCommands.Count); // the lookup; no UPDATE per request

        await _api.StopServiceAsync();

        await using var db = _api.OpenDatabase();
        await using var command = new NpgsqlCommand("SELECT last_used_at FROM api_keys WHERE id = @id", db);
        command.Parameters.AddWithValue("id", key.Id);
        var lastUsed = await command.ExecuteScalarAsync();
        Assert.IsType<DateTime>(lastUsed);
        Assert.True((DateTime)lastUsed! > DateTime.UtcNow.AddMinutes(-1));
    }
}
