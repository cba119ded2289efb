using System.Net;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;
using Npgsql;

namespace AuthKeys.Api.Tests.ApiKeys;

public sealed class ApiKeyScopesAndMetaTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private static readonly string[] BillingScopes = ["demo:read", "keys:verify"];
    private static readonly string[] ReaderScopes = ["demo:read"];
    private static readonly string[] NearScopes = ["demo:readwrite", "demo"];

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task ScopesAndMetaAreReturnedByEveryKeyResponse()
    {
        var account = await _client.SignupAsync();
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "billing", scopes = BillingScopes, meta = new { customer = "c-42", plan = "pro" } }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var plain = await _client.CreateKeyAsync(account.AccessToken);

        var id = created.GetProperty("id").GetGuid();
        var listed = (await (await _client.GetWithTokenAsync(Routes.Keys, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK))
            .EnumerateArray().ToDictionary(k => k.GetProperty("id").GetGuid());
        var single = await (await _client.GetWithTokenAsync(Routes.Key(id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        foreach (var key in new[] { created, listed[id], single })
        {
            Assert.Equal(["demo:read", "keys:verify"], key.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal("c-42", key.GetProperty("meta").GetProperty("customer").GetString());
            Assert.Equal("pro", key.GetProperty("meta").GetProperty("plan").GetString());
        }
        Assert.Empty(listed[plain.Id].GetProperty("scopes").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, listed[plain.Id].GetProperty("meta").ValueKind);
        Assert.Equal(listed[id].ToString(), single.ToString());
    }

    [Theory]
    [InlineData("scopes", "{\"name\":\"k\",\"scopes\":[\"Demo:Read\"]}")]
    [InlineData("scopes", "{\"name\":\"k\",\"scopes\":[\"9lives\"]}")]
    [InlineData("scopes", "{\"name\":\"k\",\"scopes\":[\"a\",\"a\"]}")]
    [InlineData("scopes", "{\"name\":\"k\",\"scopes\":[\"has space\"]}")]
    [InlineData("scopes", "{\"name\":\"k\",\"scopes\":[\"demo:read\\n\"]}")]
    [InlineData("scopes", "{\"name\":\"k\",\"scopes\":[\"a2345678901234567890123456789012345678901234567890123456789012345\"]}")]
    [InlineData("meta", "{\"name\":\"k\",\"meta\":[1,2]}")]
    [InlineData("meta", "{\"name\":\"k\",\"meta\":\"plan\"}")]
    public async Task ScopesAndMetaOutsideTheirLimitsAre400NamingTheField(string field, string body)
    {
        var account = await _client.SignupAsync();
        var problem = await (await _client.SendRawWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, body)).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task ThirtyThreeScopesOrAMetaOverOneKibibyteAre400()
    {
        var account = await _client.SignupAsync();
        var tooMany = await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "many", scopes = Enumerable.Range(0, 33).Select(i => $"s{i}").ToArray() });
        Assert.True((await tooMany.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("scopes", out _));
        var thirtyTwo = await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "enough", scopes = Enumerable.Range(0, 32).Select(i => $"s{i}").ToArray() });
        Assert.Equal(HttpStatusCode.Created, thirtyTwo.StatusCode);

        var large = await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "large", meta = new { note = new string('m', 1020) } });
        Assert.True((await large.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("meta", out _));
        var fits = await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "fits", meta = new { note = new string('m', 1000) } });
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
    }

    [Fact]
    public async Task GettingAKeyThatIsNotYoursOrNotAKeyIs404()
    {
        var account = await _client.SignupAsync();
        var stranger = await _client.SignupAsync();
        var theirs = await _client.CreateKeyAsync(stranger.AccessToken);
        foreach (var path in new[] { Routes.Key(theirs.Id), Routes.Key(Guid.NewGuid()), "/keys/not-a-guid" })
            await (await _client.GetWithTokenAsync(path, account.AccessToken)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync(Routes.Key(theirs.Id))).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheScopedRouteNeedsAKeyCarryingTheScope()
    {
        var account = await _client.SignupAsync();
        var scoped = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "reader", scopes = ReaderScopes })).ReadJsonAsync(HttpStatusCode.Created);
        var scopedKey = scoped.GetProperty("key").GetString()!;
        var unscoped = await _client.CreateKeyAsync(account.AccessToken);
        var near = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "writer", scopes = NearScopes })).ReadJsonAsync(HttpStatusCode.Created);

        var ok = await (await _client.GetWithKeyAsync(Routes.Scoped, scopedKey)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("service", ok.GetProperty("accessType").GetString());
        await (await _client.GetWithKeyAsync(Routes.Scoped, unscoped.Key)).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await _client.GetWithKeyAsync(Routes.Scoped, near.GetProperty("key").GetString()!)).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await _client.GetWithTokenAsync(Routes.Scoped, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetAsync(Routes.Scoped)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AScopeTakenAwayIsRefusedOnTheNextRequest()
    {
        var account = await _client.SignupAsync();
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "reader", scopes = ReaderScopes })).ReadJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.Scoped, key)).StatusCode); // cached now

        await using (var db = api.OpenDatabase())
        {
            await using var command = new NpgsqlCommand("UPDATE api_keys SET scopes = '{}' WHERE id = @id", db);
            command.Parameters.AddWithValue("id", created.GetProperty("id").GetGuid());
            await command.ExecuteNonQueryAsync();
        }

        // The database's notice evicts the cached key; the narrowed key is read again.
        await Poll.UntilAsync(async () => (await _client.GetWithKeyAsync(Routes.Scoped, key)).StatusCode == HttpStatusCode.Forbidden,
            TimeSpan.FromSeconds(10), "a key whose scope was taken away in SQL is refused");
    }
}
