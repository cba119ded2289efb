using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuthKeys.Benchmarks;

/// <summary>
/// The two-node revocation delay: a credential in use on node B is revoked through node A, and B is
/// asked again at once and again until it refuses. The delay runs from A's response to B's first
/// refusal (target: p99 under 1 s). Loopback only; every wait is bounded.
/// </summary>
public static class RevocationDelay
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(Uri nodeA, Uri nodeB, int trials)
    {
        using var a = new HttpClient { BaseAddress = nodeA };
        using var b = new HttpClient { BaseAddress = nodeB };
        var email = $"bench-nodes-{Guid.NewGuid():N}@example.com";
        const string password = "Tangerine-Kite-42";
        var signup = await ReadAsync(await a.PostAsJsonAsync("/auth/signup", new { email, password }));
        var owner = signup.GetProperty("accessToken").GetString()!;

        var keyDelays = new List<double>();
        var sessionDelays = new List<double>();
        for (var trial = 0; trial < trials; trial++)
        {
            var created = await ReadAsync(await SendAsync(a, HttpMethod.Post, "/keys/create", owner, JsonContent.Create(new { name = $"trial-{trial}" })));
            var key = created.GetProperty("key").GetString()!;
            var id = created.GetProperty("id").GetString();
            keyDelays.Add(await MeasureAsync(
                () => SendAsync(b, HttpMethod.Get, "/protected/service-only", apiKey: key),
                () => SendAsync(a, HttpMethod.Delete, $"/keys/{id}", owner)));

            var login = await ReadAsync(await a.PostAsJsonAsync("/auth/login", new { email, password }));
            var session = login.GetProperty("accessToken").GetString()!;
            sessionDelays.Add(await MeasureAsync(
                () => SendAsync(b, HttpMethod.Get, "/protected/user-only", session),
                () => SendAsync(a, HttpMethod.Post, "/auth/logout", session)));
        }

        Console.WriteLine($"key revoked on A, refused by B: {Summary(keyDelays)}");
        Console.WriteLine($"session ended on A, refused by B: {Summary(sessionDelays)}");
        return 0;
    }

    /// <summary>Milliseconds from <paramref name="revoke"/>'s response to the first 401 of <paramref name="use"/>.</summary>
    private static async Task<double> MeasureAsync(Func<Task<HttpResponseMessage>> use, Func<Task<HttpResponseMessage>> revoke)
    {
        using (var first = await use())
        {
            if (first.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"Node B answered {(int)first.StatusCode} before the revocation");
        }
        using (var revoked = await revoke())
            revoked.EnsureSuccessStatusCode();
        var since = Stopwatch.StartNew();
        while (true)
        {
            using var response = await use();
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                return since.Elapsed.TotalMilliseconds;
            if (since.Elapsed > GiveUpAfter)
                throw new TimeoutException($"Node B still accepted the credential {GiveUpAfter.TotalSeconds} s after its revocation");
        }
    }

    private static string Summary(List<double> delays)
    {
        delays.Sort();
        double At(double quantile) => delays[Math.Min(delays.Count - 1, (int)Math.Ceiling(quantile * delays.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.5):0.0} ms, p99 {At(0.99):0.0} ms, max {delays[^1]:0.0} ms ({delays.Count} trials)");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? bearer = null, HttpContent? content = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null)
            request.Headers.Authorization = new("Bearer", bearer);
        if (apiKey is not null)
            request.Headers.Add("x-api-key", apiKey);
        return client.SendAsync(request);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
        }
    }
}
