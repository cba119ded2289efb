using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AuthKeys.Api.Tests.Audit;

public sealed class AuditTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new()
    {
        Settings = { ["REFRESH_REUSE_GRACE_SECONDS"] = "0", ["LOGIN_MAX_FAILURES"] = "3" },
    };

    private static readonly string[] DemoRead = ["demo:read"];

    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("audit-tests/1.0");
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task EveryKindOfSecurityEventIsRecordedWithItsSubjectAndOrigin()
    {
        var stranger = await _client.SignupAsync();
        var account = await _client.SignupAsync();
        var login = await _client.LoginAsync(account.Email);
        var loginSession = Guid.Parse(Jwts.Payload(login.GetProperty("accessToken").GetString()!).GetProperty("sid").GetString()!);
        await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = "Wrong-Password-1" })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var key = await _client.CreateKeyAsync(account.AccessToken, "audited");
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(key.Id), account.AccessToken, new { scopes = DemoRead })).ReadJsonAsync(HttpStatusCode.OK);
        var rolled = await (await _client.SendWithTokenAsync(HttpMethod.Post, $"{Routes.Key(key.Id)}/roll", account.AccessToken, new { gracePeriodSeconds = 60 })).ReadJsonAsync(HttpStatusCode.Created);
        var successor = rolled.GetProperty("id").GetGuid();
        await (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(successor), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        var metered = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, new { name = "metered", remaining = 1 })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, metered.GetProperty("key").GetString()!)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _client.GetWithKeyAsync(Routes.ServiceOnly, metered.GetProperty("key").GetString()!)).StatusCode);

        var webhook = await _client.CreateWebhookAsync(account.AccessToken, "https://93.184.215.14/hooks", "key.expiring");
        await (await _client.SendWithTokenAsync(HttpMethod.Delete, WebhookReads.Webhook(webhook.Id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);

        await (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Session(loginSession), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        var refreshed = await (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).ReadJsonAsync(HttpStatusCode.OK);
        await (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).ReadProblemAsync(HttpStatusCode.Unauthorized); // reuse: the session ends

        var second = await _client.LoginAsync(account.Email);
        var access = second.GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, access, new { currentPassword = account.Password, newPassword = "Violet-Harbour-77" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostWithTokenAsync(Routes.Logout, access)).StatusCode);
        var third = await _client.LoginAsync(account.Email, "Violet-Harbour-77");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostWithTokenAsync(Routes.LogoutAll, third.GetProperty("accessToken").GetString()!)).StatusCode);
        var reading = (await _client.LoginAsync(account.Email, "Violet-Harbour-77")).GetProperty("accessToken").GetString()!;
        for (var i = 0; i < 3; i++)
            await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = "Wrong-Password-1" })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var events = await _client.AuditAsync(reading, limit: 5);
        string[] expected =
        [
            EventTypes.UserSignup, EventTypes.EmailVerificationSent, EventTypes.LoginSucceeded, EventTypes.LoginFailed, EventTypes.KeyCreated, EventTypes.KeyUpdated,
            EventTypes.KeyRolled, EventTypes.KeyRevoked, EventTypes.KeyCreated, EventTypes.KeyUsageExceeded, EventTypes.WebhookCreated,
            EventTypes.WebhookDeleted, EventTypes.SessionRevoked, EventTypes.RefreshReuseDetected, EventTypes.LoginSucceeded,
            EventTypes.PasswordChanged, EventTypes.Logout, EventTypes.LoginSucceeded, EventTypes.LogoutAll, EventTypes.LoginSucceeded,
            EventTypes.LoginFailed, EventTypes.LoginFailed, EventTypes.LoginFailed, EventTypes.LoginLocked,
        ];
        Assert.Equal(expected, events.Types().AsEnumerable().Reverse());

        var byType = events.ToLookup(e => e.GetProperty("type").GetString());
        Assert.All(events, e => Assert.Equal("audit-tests/1.0", e.GetProperty("userAgent").GetString()));
        Assert.Equal(key.Id, byType[EventTypes.KeyCreated].Last().GetProperty("keyId").GetGuid());
        Assert.Equal(successor, byType[EventTypes.KeyRolled].Single().GetProperty("keyId").GetGuid());
        Assert.Equal(metered.GetProperty("id").GetGuid(), byType[EventTypes.KeyUsageExceeded].Single().GetProperty("keyId").GetGuid());
        Assert.Equal(loginSession, byType[EventTypes.SessionRevoked].Single().GetProperty("sessionId").GetGuid());
        Assert.Equal(Jwts.Payload(account.AccessToken).GetProperty("sid").GetString(), byType[EventTypes.RefreshReuseDetected].Single().GetProperty("sessionId").GetString());
        Assert.NotNull(refreshed.GetProperty("accessToken").GetString());

        // Nobody else sees them.
        Assert.Equal([EventTypes.EmailVerificationSent, EventTypes.UserSignup], (await ReadAllAsync(stranger)).Types());
    }

    [Fact]
    public async Task AChangeThatRollsBackLeavesNoEvent()
    {
        var account = await _client.SignupAsync();
        await _client.CreateKeyAsync(account.AccessToken, "taken");
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, new { name = "taken" })).ReadProblemAsync(HttpStatusCode.Conflict);
        var other = await _client.CreateKeyAsync(account.AccessToken, "other");
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(other.Id), account.AccessToken, new { name = "taken" })).ReadProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal([EventTypes.KeyCreated, EventTypes.KeyCreated, EventTypes.EmailVerificationSent, EventTypes.UserSignup], (await ReadAllAsync(account)).Types());
        await using var db = _api.OpenDatabase();
        Assert.Equal(["4"], await db.ReadColumnAsync($"SELECT count(*)::text FROM audit_events WHERE user_id = '{account.UserId}'"));
    }

    [Fact]
    public async Task PagesNeitherSkipNorRepeatWhileNewEventsArrive()
    {
        var account = await _client.SignupAsync();
        for (var i = 0; i < 23; i++) // with signup's two events, 25
            await _client.CreateKeyAsync(account.AccessToken, $"key-{i}");
        var snapshot = (await _client.AuditAsync(account.AccessToken)).ConvertAll(e => e.GetProperty("id").GetGuid());
        Assert.Equal(25, snapshot.Count);

        var paged = new List<Guid>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await (await _client.GetWithTokenAsync($"{WebhookReads.Audit}?limit=7" + (next is null ? "" : $"&before={next}"), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 7);
            paged.AddRange(items.Select(e => e.GetProperty("id").GetGuid()));
            next = page.GetProperty("next").GetString();
            pages++;
            await _client.CreateKeyAsync(account.AccessToken, $"late-{pages}"); // newer than every page still to come
        }
        while (next is not null);

        Assert.Equal(4, pages);
        Assert.Equal(snapshot, paged);
        var times = (await _client.AuditAsync(account.AccessToken)).ConvertAll(e => e.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal(times.OrderDescending(), times);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("before=not-a-cursor", "before")]
    [InlineData("before=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "before")]
    public async Task ABadLimitOrCursorIsAProblemNamingIt(string query, string field)
    {
        var account = await _client.SignupAsync();
        var problem = await (await _client.GetWithTokenAsync($"{WebhookReads.Audit}?{query}", account.AccessToken)).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task OnlyAUserTokenReadsTheLog()
    {
        var account = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken);
        await (await _client.GetAsync(WebhookReads.Audit)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetWithKeyAsync(WebhookReads.Audit, key.Key)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RetentionDeletesOnlyWhatIsOlderThanItsDaysInBatches()
    {
        var account = await _client.SignupAsync();
        await using (var db = _api.OpenDatabase())
        {
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO audit_events (id, user_id, type, occurred_at)
                SELECT gen_random_uuid(), '{account.UserId}', 'auth.login.failed', now() - interval '91 days' - n * interval '1 second'
                FROM generate_series(1, {AuditRetention.BatchSize * 2 + 500}) n
                """, db);
            await insert.ExecuteNonQueryAsync();
        }

        var deleted = await _api.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<AuditRetention>().Single().PurgeAsync(CancellationToken.None);

        Assert.True(deleted >= AuditRetention.BatchSize * 2 + 500, $"deleted {deleted}");
        Assert.Equal([EventTypes.EmailVerificationSent, EventTypes.UserSignup], (await ReadAllAsync(account)).Types());
    }

    private Task<List<System.Text.Json.JsonElement>> ReadAllAsync(Account account) => _client.AuditAsync(account.AccessToken, limit: 5);
}
