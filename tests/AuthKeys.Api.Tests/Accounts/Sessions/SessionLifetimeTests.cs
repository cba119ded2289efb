using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Accounts.Sessions;

/// <summary>However often it is refreshed, a session ends SESSION_MAX_LIFETIME after its login.</summary>
public sealed class SessionLifetimeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;

    public SessionLifetimeTests() => _api = new AuthKeysApiFactory
    {
        Time = _time,
        Settings = { ["SESSION_MAX_LIFETIME"] = "1h", ["JWT_REFRESH_EXPIRES_IN"] = "45m" },
    };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task RefreshingDoesNotCarryASessionPastItsMaximumLifetime()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        _time.Advance(TimeSpan.FromMinutes(40));
        var next = await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = account.RefreshToken }).ReadOk();
        var listed = await (await client.GetWithTokenAsync(Routes.Sessions, next.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Single(listed.EnumerateArray());

        // 45 minutes of refresh token would reach 85 minutes; the session ends at 60.
        _time.Advance(TimeSpan.FromMinutes(21));
        await (await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = next.RefreshToken })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await client.LoginAsync(account.Email);
    }
}
