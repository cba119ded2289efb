using System.Net;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.ApiKeys;

/// <summary>Own service with a controllable clock: grace periods end without waiting.</summary>
public sealed class ApiKeyRollTests : IAsyncLifetime
{
    private static readonly string[] Scopes = ["demo:read"];
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;
    private HttpClient _client = null!;

    public ApiKeyRollTests() => _api = new AuthKeysApiFactory { Time = _time };

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    private static string Roll(Guid id) => $"/keys/{id}/roll";

    [Fact]
    public async Task ARollWithoutGraceRevokesTheOldKeyAtOnceAndCarriesEverythingOver()
    {
        var account = await _client.SignupAsync();
        var expiresAt = _time.GetUtcNow().AddDays(30);
        var old = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
            new { name = "billing", expiresAt, scopes = Scopes, meta = new { plan = "pro" } })).ReadJsonAsync(HttpStatusCode.Created);
        var oldKey = old.GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, oldKey)).StatusCode);

        var rolledResponse = await _client.SendWithTokenAsync(HttpMethod.Post, Roll(old.GetProperty("id").GetGuid()), account.AccessToken);
        var rolled = await rolledResponse.ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal(old.GetProperty("id").GetGuid(), rolled.GetProperty("rolledFrom").GetGuid());
        Assert.Equal("billing", rolled.GetProperty("name").GetString());
        Assert.Equal(Scopes, rolled.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("pro", rolled.GetProperty("meta").GetProperty("plan").GetString());
        Assert.Equal(old.GetProperty("expiresAt").GetDateTimeOffset(), rolled.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.NotEqual(oldKey, rolled.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync(Routes.ServiceOnly, oldKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.Scoped, rolled.GetProperty("key").GetString()!)).StatusCode);

        var listed = (await (await _client.GetWithTokenAsync(Routes.Keys, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.Equal(old.GetProperty("id").GetGuid(), listed[0].GetProperty("rolledFrom").GetGuid());
        Assert.False(listed[1].GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task WithGraceBothKeysWorkUntilTheGraceEndsAndTheNameStaysWithThePair()
    {
        var account = await _client.SignupAsync();
        var old = await _client.CreateKeyAsync(account.AccessToken, "search");
        var rolled = await (await _client.SendWithTokenAsync(HttpMethod.Post, Roll(old.Id), account.AccessToken, new { gracePeriodSeconds = 3600 }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var newKey = rolled.GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, old.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, newKey)).StatusCode);
        var oldListed = await (await _client.GetWithTokenAsync(Routes.Key(old.Id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(rolled.GetProperty("id").GetGuid(), oldListed.GetProperty("supersededBy").GetGuid());
        Assert.Equal(_time.GetUtcNow().AddHours(1), oldListed.GetProperty("expiresAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        // The name belongs to the pair: a third key cannot take it.
        var taken = await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, new { name = "search" });
        await taken.ReadProblemAsync(HttpStatusCode.Conflict);
        // The old key lives out its grace unchanged: no new expiry can make it permanent.
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(old.Id), account.AccessToken, new { expiresAt = (DateTimeOffset?)null }))
            .ReadProblemAsync(HttpStatusCode.Conflict);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync(Routes.ServiceOnly, old.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, newKey)).StatusCode);
        // Expired, it cannot be changed back to life either.
        var later = (await _client.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(old.Id), later, new { name = "search-old" }))
            .ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task TheGraceNeverOutlivesTheOldKeysOwnExpiry()
    {
        var account = await _client.SignupAsync();
        var expiresAt = _time.GetUtcNow().AddMinutes(10);
        var old = await _client.CreateKeyAsync(account.AccessToken, "short", expiresAt);
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Roll(old.Id), account.AccessToken, new { gracePeriodSeconds = 86_400 }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var oldListed = await (await _client.GetWithTokenAsync(Routes.Key(old.Id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(expiresAt, oldListed.GetProperty("expiresAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task ARevokedExpiredOrAlreadyRolledKeyCannotBeRolled()
    {
        var account = await _client.SignupAsync();
        var revoked = await _client.CreateKeyAsync(account.AccessToken);
        await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(revoked.Id), account.AccessToken);
        var expiring = await _client.CreateKeyAsync(account.AccessToken, expiresAt: _time.GetUtcNow().AddMinutes(1));
        var rolledOnce = await _client.CreateKeyAsync(account.AccessToken);
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Roll(rolledOnce.Id), account.AccessToken, new { gracePeriodSeconds = 60 })).ReadJsonAsync(HttpStatusCode.Created);
        _time.Advance(TimeSpan.FromMinutes(2));

        foreach (var id in new[] { revoked.Id, expiring.Id, rolledOnce.Id })
            await (await _client.SendWithTokenAsync(HttpMethod.Post, Roll(id), account.AccessToken)).ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task RollingWhatIsNotYourKeyOrWithABadGraceIsRefused()
    {
        var account = await _client.SignupAsync();
        var stranger = await _client.SignupAsync();
        var theirs = await _client.CreateKeyAsync(stranger.AccessToken);
        var mine = await _client.CreateKeyAsync(account.AccessToken);
        foreach (var path in new[] { Roll(theirs.Id), Roll(Guid.NewGuid()), "/keys/not-a-guid/roll" })
            await (await _client.SendWithTokenAsync(HttpMethod.Post, path, account.AccessToken)).ReadProblemAsync(HttpStatusCode.NotFound);
        foreach (var grace in new[] { -1, 2_592_001 })
        {
            var problem = await (await _client.SendWithTokenAsync(HttpMethod.Post, Roll(mine.Id), account.AccessToken, new { gracePeriodSeconds = grace }))
                .ReadProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("gracePeriodSeconds", out _));
        }
        await (await _client.PostAsync(Roll(mine.Id), null)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, mine.Key)).StatusCode);
        Assert.Equal(JsonValueKind.Null, (await (await _client.GetWithTokenAsync(Routes.Key(mine.Id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("rolledFrom").ValueKind);
    }
}
