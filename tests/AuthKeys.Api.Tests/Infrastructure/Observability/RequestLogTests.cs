using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.Observability;

/// <summary>The request log line: the status the client got, its address, and why it was refused.</summary>
public sealed class RequestLogTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { UseDatabaseProxy = true, Settings = { ["LOGIN_MAX_FAILURES"] = "1" } };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task RefusalsAreLoggedWithTheClientAddressAndAReasonButNoCredential()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        var key = await client.CreateKeyAsync(account.AccessToken);
        var wrongKey = key.Key[..^4] + "0000";
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, Routes.ServiceOnly, "203.0.113.9", ("x-api-key", wrongKey))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, Routes.UserOnly, "203.0.113.9", ("Authorization", "Bearer not.a.token"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, Routes.UserOnly, "203.0.113.9")).StatusCode);
        await client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = "Wrong-Password-1" });
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).StatusCode);

        var lines = RequestLines();
        Assert.Contains(lines, l => l.Contains("/protected/service-only", StringComparison.Ordinal) && l.Contains("StatusCode: 401", StringComparison.Ordinal)
            && l.Contains("ClientAddress: 203.0.113.9", StringComparison.Ordinal) && l.Contains("Reason: key_invalid", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Reason: token_invalid", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Reason: no_credentials", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Reason: invalid_credentials", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("StatusCode: 429", StringComparison.Ordinal) && l.Contains("Reason: login_lockout", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(wrongKey, StringComparison.Ordinal) || l.Contains(account.Password, StringComparison.Ordinal) || l.Contains("not.a.token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAnswerMadeByTheErrorHandlerIsLoggedWithItsOwnStatus()
    {
        var client = _api.CreateClient();
        _api.DatabaseProxy!.Cut();
        try
        {
            var response = await client.PostAsJsonAsync(Routes.Signup, new { email = ApiClientExtensions.NewEmail(), password = ApiClientExtensions.Password });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            _api.DatabaseProxy.Restore();
        }
        var signup = Assert.Single(RequestLines(), l => l.Contains("/auth/signup", StringComparison.Ordinal));
        Assert.Contains("StatusCode: 503", signup, StringComparison.Ordinal);
    }

    private List<string> RequestLines() =>
        [.. _api.Logs.Entries.Where(e => e.Category.StartsWith("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal)).Select(e => e.Message)];

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string address, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path) { Headers = { { AuthKeysApiFactory.ClientAddressHeader, address } } };
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return _api.CreateClient().SendAsync(request);
    }
}
