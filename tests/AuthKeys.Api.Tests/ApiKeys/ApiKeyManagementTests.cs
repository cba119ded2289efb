using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.ApiKeys;

public sealed partial class ApiKeyManagementTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;
    private HttpClient _client = null!;
    private Account _owner = null!;

    public ApiKeyManagementTests() => _api = new AuthKeysApiFactory { Time = _time };

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
        _owner = await _client.SignupAsync();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task CreateReturnsTheSecretOnceInTheReferenceFormatWithAValidChecksum()
    {
        var expiresAt = _time.GetUtcNow().AddDays(30);
        var response = await Create(new { name = "My Service API Key", expiresAt });
        var body = await response.ReadJsonAsync(HttpStatusCode.Created);

        var key = body.GetProperty("key").GetString()!;
        Assert.Matches(KeyPattern(), key);
        Assert.Equal(Crc32Hex(key[3..59]), key[59..]);
        Assert.Equal(key[..11], body.GetProperty("prefix").GetString());
        Assert.Equal("My Service API Key", body.GetProperty("name").GetString());
        Assert.Equal(expiresAt.ToUnixTimeSeconds(), body.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.EndsWith("Z", body.GetProperty("createdAt").GetString(), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task AKeyWithoutExpiryAnswersExpiresAtAsNull()
    {
        var body = await (await Create(new { name = "forever" })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task ListShowsKeysNewestFirstWithEveryFieldAndNeverTheSecret()
    {
        var owner = await _client.SignupAsync();
        var older = await _client.CreateKeyAsync(owner.AccessToken, "older");
        _time.Advance(TimeSpan.FromSeconds(1));
        var newer = await _client.CreateKeyAsync(owner.AccessToken, "newer");

        var response = await _client.GetWithTokenAsync(Routes.Keys, owner.AccessToken);
        var text = await response.Content.ReadAsStringAsync();
        var keys = (await response.ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();

        Assert.Equal([newer.Id, older.Id], keys.Select(k => k.GetProperty("id").GetGuid()));
        foreach (var field in new[] { "id", "name", "prefix", "isActive", "expiresAt", "lastUsedAt", "createdAt", "revokedAt" })
            Assert.True(keys[0].TryGetProperty(field, out _), field);
        Assert.DoesNotContain(newer.Key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(newer.Key[11..], text, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task KeysAreStoredOnlyAsSha256()
    {
        var key = await _client.CreateKeyAsync(_owner.AccessToken);
        await using var db = _api.OpenDatabase();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT count(*) FROM api_keys WHERE key_hash = sha256(convert_to(@k, 'UTF8')) AND id = @id";
        command.Parameters.AddWithValue("k", key.Key);
        command.Parameters.AddWithValue("id", key.Id);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ADuplicateActiveNameIs409ButARevokedKeyFreesItsName()
    {
        var first = await _client.CreateKeyAsync(_owner.AccessToken, "billing");
        await (await Create(new { name = "billing" })).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await Delete(first.Id)).ReadJsonAsync(HttpStatusCode.OK);
        await (await Create(new { name = "billing" })).ReadJsonAsync(HttpStatusCode.Created);
        // Another user may use the same name.
        var other = await _client.SignupAsync();
        await _client.CreateKeyAsync(other.AccessToken, "billing");
    }

    [Fact]
    public async Task TenConcurrentCreationsWithOneNameGiveOneKey()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Create(new { name = "racy" })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
    }

    [Theory]
    [InlineData("", "name")]
    [InlineData("   ", "name")]
    [InlineData(null, "name")]
    public async Task InvalidNamesAre400(string? name, string field)
    {
        var problem = await (await Create(new { name })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task ANameOver100CharactersIs400() =>
        await (await Create(new { name = new string('k', 101) })).ReadProblemAsync(HttpStatusCode.BadRequest);

    [Fact]
    public async Task AnExpiryInThePastIs400()
    {
        var problem = await (await Create(new { name = "late", expiresAt = _time.GetUtcNow().AddSeconds(-1) })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresAt", out _));
    }

    [Fact]
    public async Task SomeoneElsesKeyOrAnUnknownOrMalformedIdIs404AndTheKeyKeepsWorking()
    {
        var victim = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(victim.AccessToken);

        await (await Delete(key.Id)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Delete(Guid.NewGuid())).ReadProblemAsync(HttpStatusCode.NotFound);
        var malformed = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/keys/not-a-guid") { Headers = { Authorization = new("Bearer", _owner.AccessToken) } });
        await malformed.ReadProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
    }

    [Fact]
    public async Task RevokedKeyIsRejectedOnTheNextRequestAndListedAsRevoked()
    {
        var key = await _client.CreateKeyAsync(_owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode); // cached now

        var body = await (await Delete(key.Id)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var listed = (await (await _client.GetWithTokenAsync(Routes.Keys, _owner.AccessToken)).ReadJsonAsync(HttpStatusCode.OK))
            .EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == key.Id);
        Assert.False(listed.GetProperty("isActive").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task AKeyExpiresToTheSecondEvenWhileCached()
    {
        var key = await _client.CreateKeyAsync(_owner.AccessToken, expiresAt: _time.GetUtcNow().AddSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(1));
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AnApiKeyCannotManageKeys()
    {
        var key = await _client.CreateKeyAsync(_owner.AccessToken);
        await (await _client.GetWithKeyAsync(Routes.Keys, key.Key)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var create = new HttpRequestMessage(HttpMethod.Post, Routes.CreateKey) { Content = JsonContent.Create(new { name = "sneaky" }), Headers = { { "x-api-key", key.Key } } };
        await (await _client.SendAsync(create)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ManagingKeysNeedsAToken() =>
        await (await _client.GetAsync(Routes.Keys)).ReadProblemAsync(HttpStatusCode.Unauthorized);

    private Task<HttpResponseMessage> Create(object body) =>
        _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, Routes.CreateKey)
        {
            Content = JsonContent.Create(body),
            Headers = { Authorization = new("Bearer", _owner.AccessToken) },
        });

    private Task<HttpResponseMessage> Delete(Guid id) =>
        _client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, Routes.Key(id)) { Headers = { Authorization = new("Bearer", _owner.AccessToken) } });

    /// <summary>An independent bitwise CRC-32 (IEEE, as zlib computes it), to check the service's checksum.</summary>
    internal static string Crc32Hex(string text)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in Encoding.ASCII.GetBytes(text))
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return (~crc).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^sk_[0-9a-f]{64}$")]
    private static partial Regex KeyPattern();
}
