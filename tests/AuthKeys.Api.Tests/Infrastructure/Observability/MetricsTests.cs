using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.Observability;

/// <summary>
/// Runs alone: a process-wide listener sees every host's instruments, and traffic of test classes
/// running beside these would move the counters they check.
/// </summary>
[CollectionDefinition(nameof(Telemetry), DisableParallelization = true)]
public sealed class Telemetry;

[Collection(nameof(Telemetry))]
public sealed partial class MetricsTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task CountersMoveByExactlyTheTrafficSent()
    {
        var account = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode); // token and session now cached
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        var before = await ScrapeAsync();

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithTokenAsync(Routes.UserOnly, "not.a.token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key[..^4] + "abcd")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(key.Id), account.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Post, "/keys/verify", account.AccessToken, new { key = key.Key })).StatusCode);

        var expected = new Dictionary<string, double>
        {
            ["authkeys_authentications_total{outcome=success,scheme=jwt}"] = 5,   // 3 GETs, the revoke, the verify
            ["authkeys_authentications_total{outcome=invalid,scheme=jwt}"] = 1,
            ["authkeys_authentications_total{outcome=success,scheme=api_key}"] = 2,
            ["authkeys_authentications_total{outcome=invalid,scheme=api_key}"] = 1,
            ["authkeys_authentications_total{outcome=revoked,scheme=api_key}"] = 1,
            ["authkeys_cache_lookups_total{cache=access_tokens,result=hit}"] = 5,
            ["authkeys_cache_lookups_total{cache=sessions,result=hit}"] = 5,
            ["authkeys_key_verification_duration_seconds_count{code=REVOKED}"] = 1,
        };
        await Poll.UntilAsync(async () =>
        {
            var after = await ScrapeAsync();
            return expected.All(e => Delta(before, after, e.Key) == e.Value);
        }, TimeSpan.FromSeconds(10), "every counter moved by the traffic sent");
        var final = await ScrapeAsync();
        Assert.All(expected, e => Assert.Equal(e.Value, Delta(before, final, e.Key)));
        Assert.Contains("authkeys_revocation_listener_up", final.Keys.First(k => k.StartsWith("authkeys_revocation_listener_up", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(final.Keys, k => k.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        Assert.Contains(final.Keys, k => k.StartsWith("db_client_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStreamHoldsAHundredSeriesAndCountsTheRestInAnOverflowSeries()
    {
        // Every stream but the request-duration histogram is capped, so that its points are not
        // allocated two thousand at a time; what goes past the cap is still counted.
        using var meter = new Meter(AuthKeysMetrics.MeterName);
        var counter = meter.CreateCounter<long>("authkeys.test.cardinality");
        for (var i = 0; i < 150; i++)
            counter.Add(1, new KeyValuePair<string, object?>("n", i.ToString(CultureInfo.InvariantCulture)));

        List<KeyValuePair<string, double>> series = [];
        await Poll.UntilAsync(async () =>
        {
            series = (await ScrapeAsync()).Where(s => s.Key.StartsWith("authkeys_test_cardinality_total", StringComparison.Ordinal)).ToList();
            return series.Sum(s => s.Value) == 150;
        }, TimeSpan.FromSeconds(10), "all 150 measurements counted");
        Assert.Equal(100, series.Count(s => s.Key.Contains("{n=", StringComparison.Ordinal)));
        Assert.Equal(50, Assert.Single(series, s => s.Key == "authkeys_test_cardinality_total").Value); // labelled otel_metric_overflow="true"
    }

    [Fact]
    public async Task LabelValuesNeverCarryIdsEmailsOrKeys()
    {
        var account = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken);
        await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key);
        await _client.GetWithTokenAsync(Routes.Key(key.Id), account.AccessToken);
        await _client.GetWithTokenAsync(Routes.Key(Guid.NewGuid()), account.AccessToken);
        var text = await (await _client.GetAsync("/metrics")).Content.ReadAsStringAsync();

        foreach (var line in text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("target_info", StringComparison.Ordinal)))
        {
            Assert.DoesNotMatch(Uuid(), line);
            Assert.DoesNotContain("@", line, StringComparison.Ordinal);
            Assert.DoesNotContain("sk_", line, StringComparison.Ordinal);
        }
        Assert.Contains("http_route=\"keys/{id}\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsAreNotPartOfTheApiDocumentNorBehindCredentials()
    {
        var document = await (await _client.GetAsync(Routes.OpenApiDocument)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"/metrics\"", document, StringComparison.Ordinal);
        var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsCanBeTurnedOffOrMovedToAPortOfTheirOwn()
    {
        await using (var off = new AuthKeysApiFactory { Settings = { ["METRICS_ENABLED"] = "false" } })
        {
            await off.StartAsync();
            Assert.Equal(HttpStatusCode.NotFound, (await off.CreateClient().GetAsync("/metrics")).StatusCode);
        }

        var port = FreePort();
        await using var moved = new AuthKeysApiFactory { Settings = { ["METRICS_PORT"] = port.ToString(CultureInfo.InvariantCulture) } };
        await moved.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await moved.CreateClient().GetAsync("/metrics")).StatusCode);
        using var scraper = new HttpClient();
        var text = await scraper.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("authkeys_revocation_listener_up", text, StringComparison.Ordinal);
    }

    /// <summary>Every sample of the scrape, keyed by name and its labels (sorted, otel_* left out), unquoted.</summary>
    private async Task<Dictionary<string, double>> ScrapeAsync()
    {
        var text = await (await _client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        var samples = new Dictionary<string, double>();
        foreach (Match match in Sample().Matches(text))
        {
            var labels = match.Groups["labels"].Success
                ? match.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries)
                    .Select(l => l.Split('=', 2)).Where(l => !l[0].StartsWith("otel_", StringComparison.Ordinal))
                    .Select(l => $"{l[0]}={l[1].Trim('"')}").Order(StringComparer.Ordinal).ToList()
                : [];
            var name = match.Groups["name"].Value + (labels.Count > 0 ? $"{{{string.Join(',', labels)}}}" : "");
            samples[name] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    }

    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string name) =>
        after.GetValueOrDefault(name) - before.GetValueOrDefault(name);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN|\+Inf)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Uuid();
}
