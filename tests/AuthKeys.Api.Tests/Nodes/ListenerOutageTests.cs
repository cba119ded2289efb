using System.Net;
using AuthKeys.Api.Tests.Testing;
using Npgsql;

namespace AuthKeys.Api.Tests.Nodes;

/// <summary>
/// A node whose listening connection is down may miss notices. Cached state lives minutes here, so
/// a refusal within the bound below can only come from the staleness rule or a reconnect.
/// </summary>
public sealed class ListenerOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly TwoNodes _nodes = new(("REVOCATION_MAX_STALENESS_SECONDS", "2")) { ListenerProxyOnB = true };

    private AuthKeysApiFactory A => _nodes.A;

    private AuthKeysApiFactory B => _nodes.B;

    public Task InitializeAsync() => _nodes.StartAsync();

    public Task DisposeAsync() => _nodes.DisposeAsync().AsTask();

    [Fact]
    public async Task AKilledListenerConnectionComesBackByItselfAndARevocationIsStillRefused()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var key = await a.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        var before = await ListenerBackendsAsync();
        Assert.Equal(2, before.Count); // one per node, found by its application name

        await using (var db = A.OpenDatabase())
            await ExecuteAsync(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'authkeys-listener' AND datname = current_database()");
        var revoke = new HttpRequestMessage(HttpMethod.Delete, Routes.Key(key.Id)) { Headers = { Authorization = new("Bearer", account.AccessToken) } };
        Assert.Equal(HttpStatusCode.OK, (await a.SendAsync(revoke)).StatusCode);

        await Poll.UntilAsync(async () => (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the key although its listener was killed around the revocation");
        await Poll.UntilAsync(async () => (await ListenerBackendsAsync()) is { Count: 2 } now && !now.Intersect(before).Any(),
            Bound, "both nodes listen again on new connections");
        await B.UntilListeningAsync();
    }

    [Fact]
    public async Task WhileTheListenerCannotReconnectCachedStateIsTrustedOnlyForTheStalenessBound()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var cachedBefore = await a.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.ServiceOnly, cachedBefore.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);

        B.ListenerProxy!.Cut();
        await Poll.UntilAsync(async () => await B.ListenerStateAsync() == "down", Bound, "node B reports its listener down (and stays ready)");
        var cachedWhileDown = await a.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.ServiceOnly, cachedWhileDown.Key)).StatusCode);

        // Behind every node's back, so that only B's own caution can stop it.
        await using (var db = A.OpenDatabase())
            await ExecuteAsync(db, "UPDATE api_keys SET revoked_at = now(), is_active = false; UPDATE sessions SET revoked_at = now()");

        foreach (var key in new[] { cachedBefore, cachedWhileDown })
        {
            await Poll.UntilAsync(async () => (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode == HttpStatusCode.Unauthorized,
                Bound, "node B stops trusting a cached key while deaf");
        }
        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B stops trusting a cached session while deaf");

        B.ListenerProxy.Restore();
        await B.UntilListeningAsync();
    }

    [Fact]
    public async Task AListenerConnectionThatSilentlyStopsAnsweringIsNoticed()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var key = await a.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);

        // A partition: nothing is closed, the notice below is simply never delivered.
        B.ListenerProxy!.Freeze();
        await using (var db = A.OpenDatabase())
            await ExecuteAsync(db, $"UPDATE api_keys SET revoked_at = now(), is_active = false WHERE id = '{key.Id}'");

        await Poll.UntilAsync(async () => (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(40), "node B stops trusting its cache once its silent listener is found dead");
        Assert.Equal("down", await B.ListenerStateAsync());

        B.ListenerProxy.Restore();
        await B.UntilListeningAsync();
    }

    private async Task<List<string>> ListenerBackendsAsync()
    {
        await using var db = A.OpenDatabase();
        return await db.ReadColumnAsync("SELECT pid::text FROM pg_stat_activity WHERE application_name = 'authkeys-listener' AND datname = current_database()");
    }

    private static async Task ExecuteAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }
}
