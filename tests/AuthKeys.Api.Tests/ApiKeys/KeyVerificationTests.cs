using System.Net;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.ApiKeys;

public sealed class KeyVerificationTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private const string Verify = "/keys/verify";
    private static readonly string[] Reader = ["demo:read"];
    private static readonly string[] Verifier = ["keys:verify"];
    private static readonly string[] ReaderAndWriter = ["demo:read", "demo:write"];
    private readonly HttpClient _client = api.CreateClient();

    private async Task<(string Key, Guid Id)> CreateAsync(Account owner, object body)
    {
        var created = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, owner.AccessToken, body)).ReadJsonAsync(HttpStatusCode.Created);
        return (created.GetProperty("key").GetString()!, created.GetProperty("id").GetGuid());
    }

    private async Task<JsonElement> VerifyAsync(string accessToken, object body) =>
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Verify, accessToken, body)).ReadJsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task AValidKeyIsDescribedAndCountsAsAUse()
    {
        var owner = await _client.SignupAsync();
        var (key, id) = await CreateAsync(owner, new { name = "client-a", scopes = Reader, meta = new { customer = "c-1" }, remaining = 5, rateLimit = new { limit = 10, windowSeconds = 60 } });

        var answer = await VerifyAsync(owner.AccessToken, new { key, requiredScopes = Reader });

        Assert.True(answer.GetProperty("valid").GetBoolean());
        Assert.Equal("VALID", answer.GetProperty("code").GetString());
        Assert.Equal(id, answer.GetProperty("keyId").GetGuid());
        Assert.Equal(owner.UserId, answer.GetProperty("ownerId").GetGuid());
        Assert.Equal("client-a", answer.GetProperty("name").GetString());
        Assert.Equal("c-1", answer.GetProperty("meta").GetProperty("customer").GetString());
        Assert.Equal(Reader, answer.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(4, answer.GetProperty("remaining").GetInt32());
        Assert.Equal(10, answer.GetProperty("rateLimit").GetProperty("limit").GetInt32());
        Assert.Equal(9, answer.GetProperty("rateLimit").GetProperty("remaining").GetInt64());
        Assert.True(answer.GetProperty("rateLimit").GetProperty("resetAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task EveryOtherCodeIsA200WithValidFalse()
    {
        var owner = await _client.SignupAsync();
        var stranger = await _client.SignupAsync();
        var (revoked, revokedId) = await CreateAsync(owner, new { name = "revoked" });
        await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(revokedId), owner.AccessToken);
        var (expiring, expiringId) = await CreateAsync(owner, new { name = "expiring", expiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(expiringId), owner.AccessToken, new { expiresAt = DateTimeOffset.UtcNow.AddSeconds(1) });
        var (reader, _) = await CreateAsync(owner, new { name = "reader", scopes = Reader });
        var (limited, _) = await CreateAsync(owner, new { name = "limited", rateLimit = new { limit = 1, windowSeconds = 3600 } });
        var (metered, _) = await CreateAsync(owner, new { name = "metered", remaining = 0 });
        var (theirs, _) = await CreateAsync(stranger, new { name = "theirs" });

        Assert.Equal("REVOKED", (await VerifyAsync(owner.AccessToken, new { key = revoked })).GetProperty("code").GetString());
        await Poll.UntilAsync(async () => (await VerifyAsync(owner.AccessToken, new { key = expiring })).GetProperty("code").GetString() == "EXPIRED",
            TimeSpan.FromSeconds(10), "the key expires");
        Assert.Equal("INSUFFICIENT_SCOPES", (await VerifyAsync(owner.AccessToken, new { key = reader, requiredScopes = ReaderAndWriter })).GetProperty("code").GetString());
        Assert.Equal("VALID", (await VerifyAsync(owner.AccessToken, new { key = limited })).GetProperty("code").GetString());
        Assert.Equal("RATE_LIMITED", (await VerifyAsync(owner.AccessToken, new { key = limited })).GetProperty("code").GetString());
        Assert.Equal("USAGE_EXCEEDED", (await VerifyAsync(owner.AccessToken, new { key = metered })).GetProperty("code").GetString());

        // No oracle across owners: someone else's key, an unknown one and a malformed one look the same.
        foreach (var key in new[] { theirs, "sk_" + new string('0', 64), "not-a-key", "" })
        {
            var answer = await VerifyAsync(owner.AccessToken, new { key });
            Assert.False(answer.GetProperty("valid").GetBoolean());
            Assert.Equal("NOT_FOUND", answer.GetProperty("code").GetString());
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("keyId").ValueKind);
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("ownerId").ValueKind);
        }
    }

    [Fact]
    public async Task AnApiKeyCallerNeedsTheVerifyScopeAndAnswersAreAboutItsOwnersKeys()
    {
        var owner = await _client.SignupAsync();
        var (service, _) = await CreateAsync(owner, new { name = "gateway", scopes = Verifier });
        var (plain, _) = await CreateAsync(owner, new { name = "plain" });
        var (clientKey, clientId) = await CreateAsync(owner, new { name = "client" });

        var byKey = await (await _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, Verify)
        {
            Headers = { { "x-api-key", service } },
            Content = Json.Of(new { key = clientKey }),
        })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(clientId, byKey.GetProperty("keyId").GetGuid());

        var refused = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, Verify) { Headers = { { "x-api-key", plain } }, Content = Json.Of(new { key = clientKey }) });
        await refused.ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await _client.PostAsync(Verify, Json.Of(new { key = clientKey }))).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task VerifyingACachedKeyWithoutAQuotaRunsNoQuery()
    {
        var owner = await _client.SignupAsync();
        var (key, _) = await CreateAsync(owner, new { name = "cached", scopes = Reader });
        await VerifyAsync(owner.AccessToken, new { key }); // loads the key and the caller's session
        var before = api.SqlCommands.Count;

        for (var i = 0; i < 5; i++)
            Assert.Equal("VALID", (await VerifyAsync(owner.AccessToken, new { key, requiredScopes = Reader })).GetProperty("code").GetString());

        Assert.Equal(before, api.SqlCommands.Count);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"key\":42}")]
    [InlineData("{\"key\":null}")]
    [InlineData("{\"key\":\"sk_x\",\"requiredScopes\":[\"Not A Scope\"]}")]
    public async Task ABodyWithoutAStringKeyIs400(string body)
    {
        var owner = await _client.SignupAsync();
        await (await _client.SendRawWithTokenAsync(HttpMethod.Post, Verify, owner.AccessToken, body)).ReadProblemAsync(HttpStatusCode.BadRequest);
    }
}
