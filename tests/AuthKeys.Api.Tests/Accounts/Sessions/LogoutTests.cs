using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Accounts;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Accounts.Sessions;

public sealed class LogoutTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task LogoutEndsTheSessionsAccessAndRefreshTokensAtOnce()
    {
        var account = await _client.SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode); // now cached

        var body = await (await _client.PostWithTokenAsync(Routes.Logout, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));

        await (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task LogoutLeavesTheUsersOtherSessionsAlone()
    {
        var account = await _client.SignupAsync();
        var other = await _client.LoginAsync(account.Email);
        await (await _client.PostWithTokenAsync(Routes.Logout, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, other.GetProperty("accessToken").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task LogoutAllEndsEverySessionOfTheUser()
    {
        var account = await _client.SignupAsync();
        var second = await _client.LoginAsync(account.Email);
        var bystander = await _client.SignupAsync();

        await (await _client.PostWithTokenAsync(Routes.LogoutAll, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);

        await (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetWithTokenAsync(Routes.UserOnly, second.GetProperty("accessToken").GetString()!)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = second.GetProperty("refreshToken").GetString() })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, bystander.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task LogoutNeedsAToken() =>
        await (await _client.PostAsync(Routes.Logout, null)).ReadProblemAsync(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task ADeactivatedUserIsRefusedEverywhereAtOnce()
    {
        var account = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);

        await api.WithServicesAsync<UserAccounts>(accounts => accounts.DeactivateAsync(account.UserId, CancellationToken.None));

        await (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RepeatedRequestsWithOneTokenDoNotQueryTheDatabaseEachTime()
    {
        var account = await _client.SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        var before = api.SqlCommands.Count;
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        // Other test classes have their own factory and counter; only this class's requests count here.
        Assert.Equal(before, api.SqlCommands.Count);
    }
}
