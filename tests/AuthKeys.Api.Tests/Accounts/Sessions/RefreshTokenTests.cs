using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Accounts.Sessions;

public sealed class RefreshTokenTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;
    private HttpClient _client = null!;

    public RefreshTokenTests() => _api = new AuthKeysApiFactory { Time = _time };

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task RefreshRotatesTheTokenAndSpendsTheOldOne()
    {
        var account = await _client.SignupAsync();
        var next = await RefreshAsync(account.RefreshToken).ReadOk();
        Assert.NotEqual(account.RefreshToken, next.RefreshToken);
        Assert.Equal("Bearer", next.Body.GetProperty("tokenType").GetString());
        Assert.Equal(900, next.Body.GetProperty("expiresIn").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, next.AccessToken)).StatusCode);
        // Same session as before.
        Assert.Equal(Jwts.Payload(account.AccessToken).GetProperty("sid").GetString(), Jwts.Payload(next.AccessToken).GetProperty("sid").GetString());

        var third = await RefreshAsync(next.RefreshToken).ReadOk();
        Assert.NotEqual(next.RefreshToken, third.RefreshToken);
    }

    [Fact]
    public async Task AnOverlongRefreshTokenIsAFieldError()
    {
        var problem = await (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = "rt_" + new string('a', 300) })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("refreshToken", out _));
    }

    [Fact]
    public async Task ReusedRefreshTokenRevokesTheSession()
    {
        var account = await _client.SignupAsync();
        var second = await RefreshAsync(account.RefreshToken).ReadOk();
        var third = await RefreshAsync(second.RefreshToken).ReadOk();

        // The first token is not the parent of the newest: replaying it is theft, grace or not.
        await (await RefreshAsync(account.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await RefreshAsync(third.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetWithTokenAsync(Routes.UserOnly, third.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ReusingTheParentAfterTheGraceWindowRevokesTheSession()
    {
        var account = await _client.SignupAsync();
        var second = await RefreshAsync(account.RefreshToken).ReadOk();
        _time.Advance(TimeSpan.FromSeconds(11));

        await (await RefreshAsync(account.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await RefreshAsync(second.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetWithTokenAsync(Routes.UserOnly, second.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ARepeatInsideTheGraceWindowGetsTheSamePairAndKeepsTheSession()
    {
        var account = await _client.SignupAsync();
        var first = await RefreshAsync(account.RefreshToken).ReadOk();
        _time.Advance(TimeSpan.FromSeconds(5));
        var repeat = await RefreshAsync(account.RefreshToken).ReadOk();

        Assert.Equal(first.RefreshToken, repeat.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, repeat.AccessToken)).StatusCode);
        await RefreshAsync(repeat.RefreshToken).ReadOk();
    }

    [Fact]
    public async Task TwoTabsRefreshingAtOnceBothGetAValidPair()
    {
        var account = await _client.SignupAsync();
        var responses = await Task.WhenAll(RefreshAsync(account.RefreshToken), RefreshAsync(account.RefreshToken));
        var pairs = await Task.WhenAll(responses.Select(r => Task.FromResult(r).ReadOk()));
        Assert.Equal(pairs[0].RefreshToken, pairs[1].RefreshToken);
        await RefreshAsync(pairs[0].RefreshToken).ReadOk();
    }

    [Fact]
    public async Task AnExpiredRefreshTokenIsRefused()
    {
        var account = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        await (await RefreshAsync(account.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("rt_made-up")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.x")]
    public async Task AnUnknownRefreshTokenIsRefused(string token)
    {
        var response = await RefreshAsync(token);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task RefreshTokensAreStoredOnlyAsHashes()
    {
        var account = await _client.SignupAsync();
        await using var db = _api.OpenDatabase();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT count(*) FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%' || @t || '%' OR encode(token_hash, 'hex') = @t";
        command.Parameters.AddWithValue("t", account.RefreshToken);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
        command.CommandText = "SELECT count(*) FROM refresh_tokens WHERE token_hash = sha256(convert_to(@t, 'UTF8'))";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken });
}

public sealed class RefreshGraceOffTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { Settings = { ["REFRESH_REUSE_GRACE_SECONDS"] = "0" } };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task WithTheGraceWindowOffAnImmediateRepeatRevokesTheSession()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        var next = await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken }).ReadOk();
        await (await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = next.RefreshToken })).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }
}

public sealed record TokenPair(string AccessToken, string RefreshToken, JsonElement Body);

public static class TokenPairExtensions
{
    public static async Task<TokenPair> ReadOk(this Task<HttpResponseMessage> response)
    {
        var message = await response;
        var body = await message.ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(message.Headers.CacheControl?.NoStore);
        return new TokenPair(body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!, body);
    }
}
