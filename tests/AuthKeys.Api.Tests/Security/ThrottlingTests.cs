using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Security;

public sealed class AuthRateLimitTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { Settings = { ["AUTH_RATE_LIMIT_PER_MINUTE"] = "5" } };

    public Task InitializeAsync() => ((IAsyncLifetime)_api).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_api).DisposeAsync();

    [Fact]
    public async Task SignupAndLoginArePerIpThrottledWith429AndRetryAfterEvenWithASpoofedForwardedFor()
    {
        var client = _api.CreateClient();
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 7; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, i % 2 == 0 ? Routes.Login : Routes.Signup)
            {
                Content = JsonContent.Create(new { email = ApiClientExtensions.NewEmail(), password = "Tangerine-Kite-42" }),
            };
            // An untrusted client cannot choose its address for the limiter.
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            responses.Add(await client.SendAsync(request));
        }
        Assert.All(responses.Take(5), r => Assert.NotEqual(HttpStatusCode.TooManyRequests, r.StatusCode));
        var throttled = responses[5];
        await throttled.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Other routes are not limited by it.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Routes.Health)).StatusCode);
    }
}

public sealed class LoginLockoutTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;

    public LoginLockoutTests() => _api = new AuthKeysApiFactory
    {
        Time = _time,
        Settings = { ["LOGIN_MAX_FAILURES"] = "3", ["LOGIN_LOCKOUT_SECONDS"] = "600" },
    };

    public Task InitializeAsync() => ((IAsyncLifetime)_api).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_api).DisposeAsync();

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

public sealed class ApiKeyFailureThrottleTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { Settings = { ["APIKEY_FAILURES_PER_MINUTE"] = "5" } };

    public Task InitializeAsync() => ((IAsyncLifetime)_api).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_api).DisposeAsync();

    [Fact]
    public async Task AnAddressThatKeepsGuessingKeysGets429()
    {
        var client = _api.CreateClient();
        var owner = await client.SignupAsync();
        var key = await client.CreateKeyAsync(owner.AccessToken);
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode); // successes do not count

        for (var i = 0; i < 5; i++)
            await (await client.GetWithKeyAsync(Routes.ServiceOnly, $"sk_guess{i}")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var throttled = await client.GetWithKeyAsync(Routes.Flexible, key.Key);
        await throttled.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
