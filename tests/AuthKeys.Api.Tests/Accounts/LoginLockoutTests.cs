using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Accounts;

public sealed class LoginLockoutTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;

    public LoginLockoutTests() => _api = new AuthKeysApiFactory
    {
        Time = _time,
        Settings = { ["LOGIN_MAX_FAILURES"] = "3", ["LOGIN_LOCKOUT_SECONDS"] = "600" },
    };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task RepeatedFailuresLockTheAccountUntilTheLockoutEnds()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        for (var i = 0; i < 3; i++)
            await (await WrongLogin(client, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);

        // Even the right password is refused while locked.
        var locked = await client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password });
        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(600), locked.Headers.RetryAfter?.Delta);

        _time.Advance(TimeSpan.FromSeconds(601));
        await client.LoginAsync(account.Email);
    }

    [Fact]
    public async Task TheCountLivesInTheDatabaseSoItSurvivesARestart()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        await (await WrongLogin(client, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await WrongLogin(client, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);

        // A second service instance on the same database (a restart, or another node).
        await using var other = new AuthKeysApiFactory { Time = _time, Settings = { ["LOGIN_MAX_FAILURES"] = "3", ["ConnectionStrings:Default"] = _api.ConnectionString } };
        var otherClient = other.CreateClient();
        await (await WrongLogin(otherClient, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await otherClient.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password }))
            .ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task ASuccessfulLoginResetsTheCount()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        await (await WrongLogin(client, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await WrongLogin(client, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await client.LoginAsync(account.Email);
        await (await WrongLogin(client, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await WrongLogin(client, account.Email)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await client.LoginAsync(account.Email);
    }

    private static Task<HttpResponseMessage> WrongLogin(HttpClient client, string email) =>
        client.PostAsJsonAsync(Routes.Login, new { email, password = "WrongPassword1" });
}
