using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.ApiKeys.Limits;

public sealed class ApiKeyFailureThrottleTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { Settings = { ["APIKEY_FAILURES_PER_MINUTE"] = "5" } };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task AnAddressThatKeepsGuessingKeysGets429ForWhatFailsButNotForAValidKeyItUses()
    {
        var client = _api.CreateClient();
        var owner = await client.SignupAsync();
        var key = await client.CreateKeyAsync(owner.AccessToken);
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode); // successes do not count

        for (var i = 0; i < 5; i++)
            await (await client.GetWithKeyAsync(Routes.ServiceOnly, $"sk_guess{i}")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var throttled = await client.GetWithKeyAsync(Routes.Flexible, "sk_guess-next");
        await throttled.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await (await client.GetWithKeyAsync(Routes.ServiceOnly, "sk_" + new string('0', 64))).ReadProblemAsync(HttpStatusCode.TooManyRequests);

        // The valid key in use keeps working from the blocked address (a neighbour's guesses cannot
        // take it down); a key that would need a lookup does not, valid or not.
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        var fresh = await client.CreateKeyAsync(owner.AccessToken, "fresh");
        await (await client.GetWithKeyAsync(Routes.ServiceOnly, fresh.Key)).ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }
}
