using System.Net;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AuthKeys.Api.Tests.ApiKeys;

/// <summary>Last-used times: batched in memory, written in one flush, never lost to a race.</summary>
public sealed class ApiKeyUsageFlushTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

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


    private async Task<(Guid Owner, List<Guid> KeyIds)> OwnerWithStoredKeysAsync(int count)
    {
        var owner = await _client.SignupAsync();
        await using var db = api.OpenDatabase();
        return (owner.UserId, await db.InsertKeysAsync(owner.UserId, count));
    }
}

public sealed class ApiKeyLastUsedTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new();

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

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
