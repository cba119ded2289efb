using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthKeys.Api.Accounts;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AuthKeys.Api.Tests.Accounts;

public sealed class AccountTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private const string NewPassword = "Violet-Harbour-77";
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task MeAnswersWhoIsCallingAndFromWhichSession()
    {
        var account = await _client.SignupAsync();
        var me = await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);

        var user = me.GetProperty("user");
        Assert.Equal(account.UserId, user.GetProperty("id").GetGuid());
        Assert.Equal(account.Email, user.GetProperty("email").GetString());
        Assert.Equal("Test User", user.GetProperty("name").GetString());
        Assert.True(user.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal(Jwts.Payload(account.AccessToken).GetProperty("sid").GetString(), me.GetProperty("sessionId").GetString());
        await (await _client.GetAsync(Routes.Me)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task PatchMeChangesTheNameAndNothingElse()
    {
        var account = await _client.SignupAsync();
        var renamed = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Me, account.AccessToken, new { name = "  Jane Q.  ", email = "other@example.com" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Jane Q.", renamed.GetProperty("name").GetString());
        Assert.Equal(account.Email, renamed.GetProperty("email").GetString());
        Assert.Equal(account.UserId, renamed.GetProperty("id").GetGuid());

        var cleared = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Me, account.AccessToken, new { name = (string?)null })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("name").ValueKind);

        var tooLong = await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Me, account.AccessToken, new { name = new string('n', 101) })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("name", out _));
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Me, "not-a-token", new { name = "x" })).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ChangingThePasswordKeepsThisSessionAndEndsEveryOther()
    {
        var account = await _client.SignupAsync();
        var other = await _client.LoginAsync(account.Email);
        var (otherAccess, otherRefresh) = (other.GetProperty("accessToken").GetString()!, other.GetProperty("refreshToken").GetString()!);

        var changed = await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, account.AccessToken, new { currentPassword = account.Password, newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithTokenAsync(Routes.UserOnly, otherAccess)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = otherRefresh })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).StatusCode);
        await _client.LoginAsync(account.Email, NewPassword);
    }

    [Fact]
    public async Task AWrongCurrentPasswordOrACommonNewOneIsA400NamingTheField()
    {
        var account = await _client.SignupAsync();
        var wrong = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, account.AccessToken, new { currentPassword = "Not-The-Password-1", newPassword = NewPassword }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("currentPassword", out _));

        var common = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, account.AccessToken, new { currentPassword = account.Password, newPassword = "iloveyou" }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("too common", common.GetProperty("errors").GetProperty("newPassword")[0].GetString(), StringComparison.Ordinal);
        var missing = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, account.AccessToken, new { currentPassword = account.Password }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("newPassword", out _));
        await (await _client.PostAsJsonAsync(Routes.ChangePassword, new { currentPassword = account.Password, newPassword = NewPassword })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        await _client.LoginAsync(account.Email); // nothing changed
    }

    [Theory]
    [InlineData("password1")]
    [InlineData("iloveyou")]
    [InlineData("TRUSTNO1")]
    [InlineData("Password123!")]
    [InlineData("dragon2024!!")]
    public async Task SignupRefusesAWellKnownPassword(string password)
    {
        var response = await _client.PostAsJsonAsync(Routes.Signup, new { email = ApiClientExtensions.NewEmail(), password });
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("too common", problem.GetProperty("errors").GetProperty("password")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARandomPasswordIsAcceptedAndTheListIsLargeEnough()
    {
        await _client.SignupAsync(password: Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)));
        Assert.True(api.Services.GetRequiredService<CommonPasswords>().Count >= 10_000);
    }

    [Fact]
    public async Task SessionsListTheActiveOnesNewestFirstWithWhereTheyCameFrom()
    {
        var account = await _client.SignupAsync();
        using var phone = api.CreateClient();
        phone.DefaultRequestHeaders.UserAgent.ParseAdd("AuthKeysPhone/2.1");
        var second = await phone.LoginAsync(account.Email);
        var ended = await _client.LoginAsync(account.Email);
        await _client.PostWithTokenAsync(Routes.Logout, ended.GetProperty("accessToken").GetString()!);
        await phone.PostAsJsonAsync(Routes.Refresh, new { refreshToken = second.GetProperty("refreshToken").GetString() });

        var sessions = (await (await _client.GetWithTokenAsync(Routes.Sessions, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();

        Assert.Equal(2, sessions.Count);
        var (newest, first) = (sessions[0], sessions[1]);
        Assert.Equal(Jwts.Payload(second.GetProperty("accessToken").GetString()!).GetProperty("sid").GetString(), newest.GetProperty("id").GetString());
        Assert.Equal("AuthKeysPhone/2.1", newest.GetProperty("userAgent").GetString());
        Assert.False(newest.GetProperty("current").GetBoolean());
        Assert.Equal(JsonValueKind.String, newest.GetProperty("lastRefreshedAt").ValueKind);
        Assert.True(first.GetProperty("current").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("lastRefreshedAt").ValueKind);
        Assert.True(first.TryGetProperty("ipAddress", out _));
        Assert.True(newest.GetProperty("createdAt").GetDateTimeOffset() >= first.GetProperty("createdAt").GetDateTimeOffset());
        await (await _client.GetAsync(Routes.Sessions)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task EndingAnotherSessionRefusesItsAccessAndRefreshTokensAtOnce()
    {
        var account = await _client.SignupAsync();
        var other = await _client.LoginAsync(account.Email);
        var (otherAccess, otherRefresh) = (other.GetProperty("accessToken").GetString()!, other.GetProperty("refreshToken").GetString()!);
        var otherId = Jwts.Payload(otherAccess).GetProperty("sid").GetString();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, otherAccess)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Session(otherId!), account.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithTokenAsync(Routes.UserOnly, otherAccess)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = otherRefresh })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task EndingASessionThatIsNotAnActiveOneOfYoursIs404()
    {
        var account = await _client.SignupAsync();
        var stranger = await _client.SignupAsync();
        var strangerSession = Jwts.Payload(stranger.AccessToken).GetProperty("sid").GetString()!;
        var ended = await _client.LoginAsync(account.Email);
        var endedId = Jwts.Payload(ended.GetProperty("accessToken").GetString()!).GetProperty("sid").GetString()!;
        await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Session(endedId), account.AccessToken);

        foreach (var id in new[] { endedId, strangerSession, Guid.NewGuid().ToString(), "not-a-guid" })
            await (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Session(id), account.AccessToken)).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, stranger.AccessToken)).StatusCode);
        await (await _client.DeleteAsync(Routes.Session(endedId))).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ADeletedAccountLeavesNothingThatAuthenticatesAndFreesItsEmail()
    {
        var account = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);

        var wrong = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.DeleteAccount, account.AccessToken, new { password = "Not-The-Password-1" }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.DeleteAccount, account.AccessToken, new { password = account.Password })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).StatusCode);
        await using (var db = api.OpenDatabase())
        {
            var left = await db.ReadColumnAsync($"""
                SELECT 'user' FROM users WHERE id = '{account.UserId}'
                UNION ALL SELECT 'session' FROM sessions WHERE user_id = '{account.UserId}'
                UNION ALL SELECT 'refresh token' FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE s.user_id = '{account.UserId}'
                UNION ALL SELECT 'key' FROM api_keys WHERE user_id = '{account.UserId}'
                """);
            Assert.Empty(left);
        }
        await _client.SignupAsync(account.Email);
    }
}

/// <summary>Own service: a low lockout threshold.</summary>
public sealed class AccountLockoutTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { Settings = { ["LOGIN_MAX_FAILURES"] = "3" } };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Theory]
    [InlineData(Routes.ChangePassword)]
    [InlineData(Routes.DeleteAccount)]
    public async Task WrongPasswordsCountTowardTheLockoutThatAlsoStopsLogins(string route)
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        object Body(string password) => route == Routes.ChangePassword
            ? new { currentPassword = password, newPassword = "Violet-Harbour-77" }
            : new { password };

        for (var i = 0; i < 3; i++)
            await (await client.SendWithTokenAsync(HttpMethod.Post, route, account.AccessToken, Body("Not-The-Password-1"))).ReadProblemAsync(HttpStatusCode.BadRequest);

        var locked = await client.SendWithTokenAsync(HttpMethod.Post, route, account.AccessToken, Body(account.Password));
        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await (await client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode); // the account itself is untouched
    }
}
