using System.Net;
using System.Net.Http.Headers;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.Observability;

/// <summary>/metrics says nothing about other tenants, and is closed when METRICS_TOKEN is set.</summary>
[Collection(nameof(Telemetry))]
public sealed class MetricsPrivacyTests
{
    [Fact]
    public async Task AWebhookReceiversHostNameAppearsInNoMetric()
    {
        await using var api = new AuthKeysApiFactory { Settings = { ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true" } };
        await api.StartAsync();
        var client = api.CreateClient();
        var account = await client.SignupAsync();
        // A name that never resolves (RFC 6761): the delivery is attempted, looked up and fails.
        var host = $"hook-{Guid.NewGuid():N}.invalid";
        var (webhookId, _) = await client.CreateWebhookAsync(account.AccessToken, $"https://{host}/tenant-secret-path", "key.created");
        await client.CreateKeyAsync(account.AccessToken);
        await Poll.UntilAsync(async () => (await client.DeliveriesAsync(account.AccessToken, webhookId)) is [var delivery] && delivery.GetProperty("attempts").GetInt32() > 0,
            TimeSpan.FromSeconds(15), "a delivery attempt");

        var metrics = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains("http_client_request_duration_seconds", metrics, StringComparison.Ordinal); // the client's meters are on
        Assert.DoesNotContain(host, metrics, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tenant-secret-path", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithMetricsTokenSetAScrapeMustCarryIt()
    {
        const string Token = "scrape-token-0123456789abcdef";
        await using var api = new AuthKeysApiFactory { Settings = { ["METRICS_TOKEN"] = Token } };
        await api.StartAsync();
        var client = api.CreateClient();
        var none = await client.GetAsync("/metrics");
        await none.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token + "x") } };
        await (await client.SendAsync(wrong)).ReadProblemAsync(HttpStatusCode.Unauthorized);

        using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        var scraped = await client.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("authkeys_", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
