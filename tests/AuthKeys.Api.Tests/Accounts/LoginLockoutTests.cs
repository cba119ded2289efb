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
        Settings = { ["LOGIN_MAX_FAILURES"] = "3", ["LOGIN_ACCOUNT_MAX_FAILURES"] = "8", ["LOGIN_LOCKOUT_SECONDS"] = "600" },
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

    [Fact]
    public async Task AnAddressLockedOutOfAnAccountLeavesTheOwnerOnOtherAddressesIn()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        for (var i = 0; i < 3; i++)
            await (await Login(client, account.Email, "WrongPassword1", "203.0.113.7")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await Login(client, account.Email, account.Password, "203.0.113.7")).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        // Its IPv6 neighbours in one /64 are one client; another /64 is another.
        for (var i = 0; i < 3; i++)
            await (await Login(client, account.Email, "WrongPassword1", $"2001:db8:1:2::{i + 1}")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await Login(client, account.Email, account.Password, "2001:db8:1:2::99")).ReadProblemAsync(HttpStatusCode.TooManyRequests);

        Assert.Equal(HttpStatusCode.OK, (await Login(client, account.Email, account.Password, "2001:db8:1:3::1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Login(client, account.Email, account.Password, "198.51.100.1")).StatusCode);
    }

    [Fact]
    public async Task RefusedGuessesFromALockedAddressDoNotSpendTheAccountsAllowance()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        for (var i = 0; i < 3; i++)
            await (await Login(client, account.Email, "WrongPassword1", "203.0.113.8")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        for (var i = 0; i < 20; i++)
            await (await Login(client, account.Email, "WrongPassword1", "203.0.113.8")).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await Login(client, account.Email, account.Password, "198.51.100.2")).StatusCode);
    }

    [Fact]
    public async Task FailuresFromManyAddressesLockTheAccountEverywhereUntilTheLockoutEnds()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        for (var i = 0; i < 8; i++)
            await (await Login(client, account.Email, "WrongPassword1", $"203.0.113.{20 + i}")).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var locked = await Login(client, account.Email, account.Password, "198.51.100.3");
        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(600), locked.Headers.RetryAfter?.Delta);

        _time.Advance(TimeSpan.FromSeconds(601));
        Assert.Equal(HttpStatusCode.OK, (await Login(client, account.Email, account.Password, "198.51.100.3")).StatusCode);
    }

    [Fact]
    public async Task OfFiftyConcurrentGuessesNoMoreThanTheLimitAreVerifiedAndTheRightPasswordAfterThemIsRefused()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        var guesses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Login(client, account.Email, "WrongPassword1", "203.0.113.9")));

        var statuses = guesses.Select(r => r.StatusCode).ToList();
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), 1, 3);
        await (await Login(client, account.Email, account.Password, "203.0.113.9")).ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task RightAndWrongPasswordsRacingFromSeveralAddressesAreNeverA5xx()
    {
        var client = _api.CreateClient();
        for (var round = 0; round < 6; round++)
        {
            var account = await client.SignupAsync();
            // Even rounds mix right and wrong passwords from four addresses; odd ones send only the
            // right one from one address, as a burst of one client's logins does.
            var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => round % 2 == 0
                ? Login(client, account.Email, i % 3 == 0 ? account.Password : "WrongPassword1", $"203.0.113.{20 + (i % 4)}")
                : Login(client, account.Email, account.Password, "203.0.113.30")));

            var statuses = answers.Select(r => r.StatusCode).ToList();
            Assert.True(statuses.TrueForAll(s => s is HttpStatusCode.OK or HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests),
                $"{string.Join(", ", statuses.Select(s => (int)s))}\n{LogCollector.RecentErrors()}");
        }
    }

    private static Task<HttpResponseMessage> WrongLogin(HttpClient client, string email) =>
        client.PostAsJsonAsync(Routes.Login, new { email, password = "WrongPassword1" });

    private static Task<HttpResponseMessage> Login(HttpClient client, string email, string password, string address)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Routes.Login) { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add(AuthKeysApiFactory.ClientAddressHeader, address);
        return client.SendAsync(request);
    }
}
