using System.Net;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.ApiKeys;

public sealed class ApiKeyUpdateTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private static readonly string[] Reader = ["demo:read"];
    private static readonly string[] Writer = ["demo:write"];
    private readonly HttpClient _client = api.CreateClient();

    private async Task<(Account Account, Guid Id, string Key)> KeyAsync()
    {
        var account = await _client.SignupAsync();
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "reports", expiresAt = DateTimeOffset.UtcNow.AddDays(7), scopes = Reader, meta = new { plan = "pro" } }))
            .ReadJsonAsync(HttpStatusCode.Created);
        return (account, created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }

    [Fact]
    public async Task FieldsLeftOutStayAndNullClears()
    {
        var (account, id, _) = await KeyAsync();

        var renamed = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { name = " reports-v2 " }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("reports-v2", renamed.GetProperty("name").GetString());
        Assert.Equal(Reader, renamed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("pro", renamed.GetProperty("meta").GetProperty("plan").GetString());
        Assert.Equal(JsonValueKind.String, renamed.GetProperty("expiresAt").ValueKind);

        var cleared = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken,
            new { expiresAt = (DateTimeOffset?)null, scopes = (string[]?)null, meta = (object?)null })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("reports-v2", cleared.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("expiresAt").ValueKind);
        Assert.Empty(cleared.GetProperty("scopes").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("meta").ValueKind);
        Assert.Equal(cleared.ToString(), (await (await _client.GetWithTokenAsync(Routes.Key(id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK)).ToString());
    }

    [Fact]
    public async Task NarrowedScopesAreRefusedFromTheResponseOn()
    {
        var (account, id, key) = await KeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.Scoped, key)).StatusCode);

        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { scopes = Writer })).ReadJsonAsync(HttpStatusCode.OK);

        await (await _client.GetWithKeyAsync(Routes.Scoped, key)).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
    }

    [Fact]
    public async Task AnExpiryBroughtForwardIsRefusedFromTheResponseOn()
    {
        var (account, id, key) = await KeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);
        // Not in the past (refused), but near: the cached entry must not keep the old expiry.
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { expiresAt = DateTimeOffset.UtcNow.AddSeconds(1) }))
            .ReadJsonAsync(HttpStatusCode.OK);
        await Poll.UntilAsync(async () => (await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "the key expires at its new time");
    }

    [Fact]
    public async Task InvalidChangesAre400NamingTheField()
    {
        var (account, id, _) = await KeyAsync();
        foreach (var (field, body) in new (string, object)[]
        {
            ("name", new { name = "" }), ("name", new { name = (string?)null }), ("name", new { name = new string('n', 101) }),
            ("expiresAt", new { expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }), ("scopes", new { scopes = new[] { "Bad Scope" } }),
            ("meta", new { meta = new[] { 1 } }),
        })
        {
            var problem = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, body)).ReadProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }
    }

    [Fact]
    public async Task ARevokedKeyATakenNameAndSomeoneElsesKeyAreRefused()
    {
        var (account, id, _) = await KeyAsync();
        var other = await _client.CreateKeyAsync(account.AccessToken, "other");
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(other.Id), account.AccessToken, new { name = "reports" })).ReadProblemAsync(HttpStatusCode.Conflict);
        await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(id), account.AccessToken);
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(id), account.AccessToken, new { name = "again" })).ReadProblemAsync(HttpStatusCode.Conflict);

        var stranger = await _client.SignupAsync();
        foreach (var path in new[] { Routes.Key(other.Id), Routes.Key(Guid.NewGuid()), "/keys/not-a-guid" })
            await (await _client.SendWithTokenAsync(HttpMethod.Patch, path, stranger.AccessToken, new { name = "mine" })).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await _client.PatchAsync(Routes.Key(other.Id), Json.Of(new { name = "x" }))).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }
}
