using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Accounts;

/// <summary>A login burst beyond the hashing queue is answered 503 at once, not held in a growing backlog.</summary>
public sealed class PasswordHashQueueTests : IAsyncLifetime
{
    // One hash at a time and one waiting, each slow enough that the burst arrives while the first runs.
    private readonly AuthKeysApiFactory _api = new()
    {
        Settings = { ["PASSWORD_HASH_CONCURRENCY"] = "1", ["PASSWORD_HASH_QUEUE"] = "1", ["PASSWORD_HASH_COST"] = "15", ["LOGIN_MAX_FAILURES"] = "100" },
    };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task LoginsBeyondTheQueueAre503WithRetryAfterAndSpendNoAttempt()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();

        var burst = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = "Wrong-Password-1" })));
        var busy = burst.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(busy);
        Assert.All(burst, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        foreach (var response in busy)
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("Try again", problem.GetProperty("detail").GetString());
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        }

        // Only the guesses that were checked count toward the lockout.
        var checkedGuesses = burst.Count(r => r.StatusCode == HttpStatusCode.Unauthorized);
        await using (var db = _api.OpenDatabase())
        {
            Assert.Equal([$"{checkedGuesses}"], await db.ReadColumnAsync($"SELECT failed_count::text FROM login_failures WHERE user_id = '{account.UserId}'"));
            Assert.Equal([$"{checkedGuesses}"], await db.ReadColumnAsync($"SELECT failed_login_count::text FROM users WHERE id = '{account.UserId}'"));
        }
        await client.LoginAsync(account.Email);
        Assert.DoesNotContain(_api.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }
}
