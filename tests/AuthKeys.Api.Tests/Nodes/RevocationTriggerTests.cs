using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Tests.Testing;
using Npgsql;

namespace AuthKeys.Api.Tests.Nodes;

/// <summary>
/// What the database triggers announce, heard the way a node hears it (a LISTENing connection):
/// every change that ends or narrows a credential, at commit, and nothing for the writes that happen
/// all day long (last-used times, failed-login counters, refreshes).
/// </summary>
public sealed class RevocationTriggerTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>, IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _notices = new();
    private NpgsqlConnection _listener = null!;

    public async Task InitializeAsync()
    {
        _listener = api.OpenDatabase();
        _listener.Notification += (_, e) => _notices.Enqueue(e.Payload);
        await SqlAsync(_listener, "LISTEN authkeys_revocations");
        // A new listener may still be handed notices committed just before its LISTEN (the previous test's).
        await DrainAsync();
    }

    public async Task DisposeAsync() => await _listener.DisposeAsync();

    [Fact]
    public async Task ARevokedKeyIsAnnouncedByItsHashAndItsUseIsNot()
    {
        var client = api.CreateClient();
        var account = await client.SignupAsync();
        var key = await client.CreateKeyAsync(account.AccessToken);
        await using var db = api.OpenDatabase();
        await SqlAsync(db, $"UPDATE api_keys SET last_used_at = now(), updated_at = now() WHERE id = '{key.Id}'");
        await SqlAsync(db, $"UPDATE users SET failed_login_count = failed_login_count + 1 WHERE id = '{account.UserId}'");
        Assert.Equal([], await DrainAsync());

        var revoke = new HttpRequestMessage(HttpMethod.Delete, Routes.Key(key.Id)) { Headers = { Authorization = new("Bearer", account.AccessToken) } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(revoke)).StatusCode);

        Assert.Equal(["k:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(key.Key)))], await DrainAsync());
    }

    [Fact]
    public async Task AnEndedSessionIsAnnouncedAndARefreshIsNot()
    {
        var client = api.CreateClient();
        var account = await client.SignupAsync();
        var sessionId = Jwts.Payload(account.AccessToken).GetProperty("sid").GetString();
        var rotated = await (await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal([], await DrainAsync());

        Assert.Equal(HttpStatusCode.OK, (await client.PostWithTokenAsync(Routes.Logout, rotated.GetProperty("accessToken").GetString()!)).StatusCode);

        Assert.Equal([$"s:{sessionId}"], await DrainAsync());
    }

    [Fact]
    public async Task DeactivatingOrDeletingAUserAnnouncesItsOpenSessionsAndKeys()
    {
        var client = api.CreateClient();
        var account = await client.SignupAsync();
        var key = await client.CreateKeyAsync(account.AccessToken);
        var expected = new[] { $"s:{Jwts.Payload(account.AccessToken).GetProperty("sid").GetString()}", "k:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(key.Key))) };
        await using var db = api.OpenDatabase();

        await SqlAsync(db, $"UPDATE users SET is_active = false WHERE id = '{account.UserId}'");
        Assert.Equal(expected.Order(), (await DrainAsync()).Order());

        await SqlAsync(db, $"DELETE FROM users WHERE id = '{account.UserId}'");
        Assert.Equal(expected.Order(), (await DrainAsync()).Distinct().Order());
    }

    [Fact]
    public async Task AChangeThatRollsBackIsNotAnnounced()
    {
        var client = api.CreateClient();
        var account = await client.SignupAsync();
        await using var db = api.OpenDatabase();
        await using (var transaction = await db.BeginTransactionAsync())
        {
            await SqlAsync(db, $"UPDATE sessions SET revoked_at = now() WHERE user_id = '{account.UserId}'");
            await transaction.RollbackAsync();
        }
        Assert.Equal([], await DrainAsync());
    }

    [Fact]
    public async Task EveryKeyColumnButItsLastUseIsWatched()
    {
        await using var db = api.OpenDatabase();
        var columns = await db.ReadColumnAsync(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'api_keys' AND column_name NOT IN ('last_used_at', 'updated_at', 'last_refilled_at', 'expiry_notice_sent_at') ORDER BY 1"); // none of these narrows what a key may do
        var watched = await db.ReadColumnAsync(
            "SELECT a.attname FROM pg_trigger t JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr) WHERE t.tgname = 'api_keys_notify_update' ORDER BY 1");
        var definition = (await db.ReadColumnAsync("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'api_keys_notify_update'")).Single();

        // A column added to api_keys must be added to the trigger (by a new migration), or a change to it would not reach other nodes.
        Assert.Equal(columns, watched);
        Assert.All(columns, column => Assert.Contains($"old.{column}", definition, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Everything announced so far.</summary>
    private async Task<List<string>> DrainAsync()
    {
        // Npgsql raises notices it reads while running a command. The listening backend learns of a
        // commit by a signal, so give it a moment before the second round trip.
        await SqlAsync(_listener, "SELECT 1");
        await Task.Delay(100);
        await SqlAsync(_listener, "SELECT 1");
        var drained = new List<string>();
        while (_notices.TryDequeue(out var notice))
            drained.Add(notice);
        return drained;
    }

    private static async Task SqlAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }
}
