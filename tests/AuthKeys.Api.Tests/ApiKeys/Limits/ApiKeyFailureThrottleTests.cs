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
