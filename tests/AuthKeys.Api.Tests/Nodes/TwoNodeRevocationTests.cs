using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Accounts;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Tests.Testing;
using Npgsql;

namespace AuthKeys.Api.Tests.Nodes;

/// <summary>
/// Two nodes of one deployment (two app hosts on one database). Cached state is trusted for an
/// hour and cached for minutes here, so only a revocation notice can make node B refuse in time.
/// </summary>
public sealed class TwoNodeRevocationTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly string[] ReaderScopes = ["demo:read"];

    private readonly TwoNodes _nodes = new(("REVOCATION_MAX_STALENESS_SECONDS", "3600"), ("REFRESH_REUSE_GRACE_SECONDS", "0"));

    private AuthKeysApiFactory A => _nodes.A;

    private AuthKeysApiFactory B => _nodes.B;

    public Task InitializeAsync() => _nodes.StartAsync();

    public Task DisposeAsync() => _nodes.DisposeAsync().AsTask();

    [Fact]
    public async Task KeyRevokedOnNodeAIsRefusedByNodeBRightAfter()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var key = await a.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode); // now cached on B

        var revoke = new HttpRequestMessage(HttpMethod.Delete, Routes.Key(key.Id)) { Headers = { Authorization = new("Bearer", account.AccessToken) } };
        Assert.Equal(HttpStatusCode.OK, (await a.SendAsync(revoke)).StatusCode);

        await Poll.UntilAsync(async () => (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the key node A revoked");
    }

    [Fact]
    public async Task AScopeTakenAwayOnNodeAIsRefusedByNodeBRightAfter()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var created = await (await a.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, new { name = "reader", scopes = ReaderScopes }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.Scoped, key)).StatusCode);

        var narrowed = await a.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(created.GetProperty("id").GetGuid()), account.AccessToken, new { scopes = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);

        await Poll.UntilAsync(async () => (await b.GetWithKeyAsync(Routes.Scoped, key)).StatusCode == HttpStatusCode.Forbidden,
            Bound, "node B refuses a scope node A took away");
    }

    [Fact]
    public async Task ANameAndMetaChangedOnNodeAAreWhatNodeBVerifiesRightAfter()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var created = await (await a.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, new { name = "before", meta = new { plan = "free" } }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        async Task<(string? Name, string? Plan)> VerifyOnBAsync()
        {
            var answer = await (await b.SendWithTokenAsync(HttpMethod.Post, "/keys/verify", account.AccessToken, new { key })).ReadJsonAsync(HttpStatusCode.OK);
            return (answer.GetProperty("name").GetString(), answer.GetProperty("meta").GetProperty("plan").GetString());
        }
        Assert.Equal(("before", "free"), await VerifyOnBAsync()); // now cached on B

        var changed = await a.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(created.GetProperty("id").GetGuid()), account.AccessToken,
            new { name = "after", meta = new { plan = "pro" } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        await Poll.UntilAsync(async () => await VerifyOnBAsync() == ("after", "pro"), Bound, "node B verifies with the name and meta node A set");
    }

    [Fact]
    public async Task AUsageQuotaIsExactAcrossNodes()
    {
        var nodes = new[] { A.CreateClient(), B.CreateClient() };
        var account = await nodes[0].SignupAsync();
        var created = await (await nodes[0].SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, new { name = "metered", remaining = 30 }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i => (await nodes[i % 2].GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode));

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(70, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task SessionEndedByLogoutOnNodeAIsRefusedByNodeBRightAfter()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await a.PostWithTokenAsync(Routes.Logout, account.AccessToken)).StatusCode);

        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the access token of a session node A ended");
    }

    [Fact]
    public async Task LogoutAllOnNodeAEndsEverySessionOnNodeB()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var second = (await b.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, second)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await a.PostWithTokenAsync(Routes.LogoutAll, account.AccessToken)).StatusCode);

        foreach (var token in new[] { account.AccessToken, second })
        {
            await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, token)).StatusCode == HttpStatusCode.Unauthorized,
                Bound, "node B refuses every session node A ended with logout-all");
        }
    }

    [Fact]
    public async Task ReusedRefreshTokenOnNodeARevokesTheSessionOnNodeB()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var rotated = await (await a.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).ReadJsonAsync(HttpStatusCode.OK);
        var access = rotated.GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, access)).StatusCode);

        // The spent token again, with no grace window: theft, the whole session ends.
        Assert.Equal(HttpStatusCode.Unauthorized, (await a.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).StatusCode);

        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, access)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses a session revoked by reuse detection on node A");
    }

    [Fact]
    public async Task UserDeactivatedOnNodeAIsRefusedEverywhereOnNodeB()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var key = await a.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);

        await A.WithServicesAsync<UserAccounts>(users => users.DeactivateAsync(account.UserId, CancellationToken.None));

        await Poll.UntilAsync(async () => (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the key of a user deactivated on node A");
        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the session of a user deactivated on node A");
    }

    [Fact]
    public async Task SessionsEndedOnNodeAByTheAccountEndpointsAreRefusedByNodeB()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var ended = (await b.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        var other = (await b.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, ended)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, other)).StatusCode);

        var endedId = Jwts.Payload(ended).GetProperty("sid").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await a.SendWithTokenAsync(HttpMethod.Delete, Routes.Session(endedId), account.AccessToken)).StatusCode);
        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, ended)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses a session ended through node A's session list");

        var changed = await a.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, account.AccessToken, new { currentPassword = account.Password, newPassword = "Violet-Harbour-77" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, other)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the other sessions after a password change on node A");
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task AnAccountDeletedOnNodeAIsRefusedEverywhereOnNodeB()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var key = await a.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await a.SendWithTokenAsync(HttpMethod.Post, Routes.DeleteAccount, account.AccessToken, new { password = account.Password })).StatusCode);

        await Poll.UntilAsync(async () => (await b.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the key of an account deleted on node A");
        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode == HttpStatusCode.Unauthorized,
            Bound, "node B refuses the session of an account deleted on node A");
    }

    [Fact]
    public async Task RevocationsMadeDirectlyInSqlAreSeenByBothNodes()
    {
        var (a, b) = (A.CreateClient(), B.CreateClient());
        var account = await a.SignupAsync();
        var key = await a.CreateKeyAsync(account.AccessToken);
        foreach (var client in new[] { a, b })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        }

        await using (var db = A.OpenDatabase())
        {
            await using var command = new NpgsqlCommand(
                "UPDATE api_keys SET revoked_at = now(), is_active = false WHERE id = @key; UPDATE sessions SET revoked_at = now() WHERE user_id = @user", db);
            command.Parameters.AddWithValue("key", key.Id);
            command.Parameters.AddWithValue("user", account.UserId);
            await command.ExecuteNonQueryAsync();
        }

        foreach (var client in new[] { a, b })
        {
            await Poll.UntilAsync(async () => (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode == HttpStatusCode.Unauthorized,
                Bound, "a key revoked in SQL is refused");
            await Poll.UntilAsync(async () => (await client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode == HttpStatusCode.Unauthorized,
                Bound, "a session revoked in SQL is refused");
        }
    }
}
