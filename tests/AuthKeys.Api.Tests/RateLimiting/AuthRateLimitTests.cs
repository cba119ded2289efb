using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.RateLimiting;

public sealed class AuthRateLimitTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { Settings = { ["AUTH_RATE_LIMIT_PER_MINUTE"] = "5" } };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

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

    [Fact]
    public async Task ForgotAndResetPasswordCountTowardTheSameLimit()
    {
        var client = _api.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            statuses.Add((await client.PostAsJsonAsync(Routes.ForgotPassword, new { email = ApiClientExtensions.NewEmail() })).StatusCode);
        for (var i = 0; i < 3; i++)
            statuses.Add((await client.PostAsJsonAsync(Routes.ResetPassword, new { token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", newPassword = "Violet-Harbour-77" })).StatusCode);
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest,
            HttpStatusCode.TooManyRequests], statuses);
    }
}
