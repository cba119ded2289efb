using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AuthKeys.Benchmarks;

/// <summary>
/// What webhooks cost and how fast they arrive, on two nodes started with
/// WEBHOOK_ALLOW_PRIVATE_TARGETS=true and a receiver in this process on loopback:
/// the cost on the request that causes an event (key creation without and with a subscribed
/// webhook, alternating), the delay from that response to the receiver, and a burst's throughput
/// with both nodes' senders claiming from one outbox (duplicates counted). Every wait is bounded.
/// </summary>
public static class WebhookDelivery
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);
    private static readonly string[] KeyCreated = ["key.created"];

    public static async Task<int> RunAsync(Uri nodeA, Uri nodeB, int events)
    {
        var received = new ConcurrentDictionary<string, int>();
        var arrivals = new ConcurrentDictionary<string, long>(); // key id -> Stopwatch timestamp of the first arrival
        await using var receiver = await StartReceiverAsync(received, arrivals);

        using var a = new HttpClient { BaseAddress = nodeA };
        using var b = new HttpClient { BaseAddress = nodeB };
        var quiet = await SignupAsync(a);     // no webhook
        var watched = await SignupAsync(a);   // one webhook on key.created
        using (var created = await SendAsync(a, HttpMethod.Post, "/webhooks", watched, new { url = receiver.Url, events = KeyCreated }))
            created.EnsureSuccessStatusCode();

        // Request cost and delivery delay: one event at a time, alternating with the same request for an account without webhooks.
        var plain = new List<double>();
        var subscribed = new List<double>();
        var delays = new List<double>();
        for (var i = 0; i < events; i++)
        {
            var clock = Stopwatch.StartNew();
            await CreateKeyAsync(i % 2 == 0 ? a : b, quiet, $"plain-{i}");
            plain.Add(clock.Elapsed.TotalMilliseconds);

            // The sender is woken at commit, so a delivery can reach the receiver before the
            // response reaches the client: the delay is counted from the request's start.
            var sent = Stopwatch.GetTimestamp();
            var keyId = await CreateKeyAsync(i % 2 == 0 ? a : b, watched, $"watched-{i}");
            subscribed.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            var deadline = Stopwatch.StartNew();
            while (!arrivals.ContainsKey(keyId))
            {
                if (deadline.Elapsed > GiveUpAfter)
                    throw new TimeoutException($"key.created for {keyId} not delivered within {GiveUpAfter.TotalSeconds} s");
                await Task.Delay(1);
            }
            delays.Add(Stopwatch.GetElapsedTime(sent, arrivals[keyId]).TotalMilliseconds);
        }

        // A burst: events committed as fast as 16 clients can, both nodes sending.
        var before = received.Count;
        var burst = Stopwatch.StartNew();
        await Parallel.ForAsync(0, events * 5, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => await CreateKeyAsync(i % 2 == 0 ? a : b, watched, $"burst-{i}"));
        var committed = burst.Elapsed.TotalSeconds;
        while (received.Count < before + (events * 5))
        {
            if (burst.Elapsed > GiveUpAfter)
                throw new TimeoutException($"{before + (events * 5) - received.Count} burst deliveries missing after {GiveUpAfter.TotalSeconds} s");
            await Task.Delay(5);
        }
        var drained = burst.Elapsed.TotalSeconds;
        await Task.Delay(2000); // anything sent twice would arrive meanwhile
        var duplicates = received.Values.Sum(n => n - 1);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"POST /keys/create, no webhook: {Summary(plain)}; with a subscribed webhook: {Summary(subscribed)}"));
        Console.WriteLine($"webhook delivered, from the start of the request causing it to the receiver: {Summary(delays)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"burst of {events * 5} events from 16 clients on two nodes: all committed after {committed:0.00} s, all delivered after {drained:0.00} s ({events * 5 / drained:0} deliveries/s), {duplicates} delivered twice"));
        return duplicates == 0 ? 0 : 1;
    }

    private static async Task<Receiver> StartReceiverAsync(ConcurrentDictionary<string, int> received, ConcurrentDictionary<string, long> arrivals)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            var now = Stopwatch.GetTimestamp();
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
            received.AddOrUpdate(context.Request.Headers["webhook-id"].ToString(), 1, (_, n) => n + 1);
            arrivals.TryAdd(body.GetProperty("data").GetProperty("keyId").GetString()!, now);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        await app.StartAsync();
        return new Receiver(app, app.Urls.Single() + "/hook");
    }

    private sealed record Receiver(WebApplication App, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    private static async Task<string> SignupAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/auth/signup", new { email = $"bench-hooks-{Guid.NewGuid():N}@example.com", password = "Tangerine-Kite-42" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<string> CreateKeyAsync(HttpClient client, string token, string name)
    {
        using var response = await SendAsync(client, HttpMethod.Post, "/keys/create", token, new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string token, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        return client.SendAsync(request);
    }

    private static string Summary(List<double> values)
    {
        values.Sort();
        double At(double quantile) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(quantile * values.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.5):0.0} ms, p99 {At(0.99):0.0} ms ({values.Count})");
    }
}
