using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpNet;

namespace AuthKeys.Benchmarks;

/// <summary>
/// Logins with a second factor (the password request, then the code request) beside plain
/// logins, at the same concurrency: logins/s and the time of one whole login. A TOTP code works
/// once per account and step, so the two-step logins rotate through many accounts, each sending
/// the earliest code of the window it has not used yet; every account is set up with the
/// previous step's code, leaving two steps to log in with. Loopback only; bounded in time.
/// </summary>
public static class SecondFactorLogins
{
    private const string Password = "Tangerine-Kite-42";

    public static async Task<int> RunAsync(Uri service, int accounts, int connections, TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections * 2 }) { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };
        var plainEmail = $"bench-plain-{Guid.NewGuid():N}@example.com";
        (await http.PostAsJsonAsync("/auth/signup", new { email = plainEmail, password = Password })).EnsureSuccessStatusCode();
        var pool = new ConcurrentQueue<Account>();
        await Parallel.ForEachAsync(Enumerable.Range(0, accounts), new ParallelOptions { MaxDegreeOfParallelism = connections },
            async (_, _) => pool.Enqueue(await EnrolledAccountAsync(http)));

        // Warm-up, then the two loads one after the other.
        await RunLoadAsync(connections, TimeSpan.FromSeconds(3), () => PlainLoginAsync(http, plainEmail));
        var plain = await RunLoadAsync(connections, duration, () => PlainLoginAsync(http, plainEmail));
        var twoStep = await RunLoadAsync(connections, duration, () => TwoStepLoginAsync(http, pool));
        Console.WriteLine(Line("plain login (1 request)", plain, duration));
        Console.WriteLine(Line("login with a second factor (2 requests)", twoStep, duration));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"second factor / plain: {(double)twoStep.Count / Math.Max(plain.Count, 1):0.00} of the logins/s; {Median(twoStep) - Median(plain):0.0} ms more per login (median)"));
        return 0;
    }

    private sealed class Account(string email, string secret, long lastStep)
    {
        public string Email { get; } = email;
        public Totp Totp { get; } = new(Base32Encoding.ToBytes(secret));
        public long LastStep { get; set; } = lastStep;
    }

    private static async Task<Account> EnrolledAccountAsync(HttpClient http)
    {
        var email = $"bench-mfa-{Guid.NewGuid():N}@example.com";
        var signup = await ReadAsync(await http.PostAsJsonAsync("/auth/signup", new { email, password = Password }));
        var token = signup.GetProperty("accessToken").GetString()!;
        var enrollment = await ReadAsync(await SendAsync(http, "/auth/mfa/totp/enroll", new { password = Password }, token));
        var secret = enrollment.GetProperty("secret").GetString()!;
        var previous = Step(DateTime.UtcNow) - 1;
        var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UnixEpoch.AddSeconds(previous * 30));
        await ReadAsync(await SendAsync(http, "/auth/mfa/totp/confirm", new { code }, token));
        return new Account(email, secret, previous);
    }

    private static async Task PlainLoginAsync(HttpClient http, string email) =>
        await ReadAsync(await http.PostAsJsonAsync("/auth/login", new { email, password = Password }));

    private static async Task TwoStepLoginAsync(HttpClient http, ConcurrentQueue<Account> pool)
    {
        var account = Take(pool);
        try
        {
            var step = Math.Max(account.LastStep + 1, Step(DateTime.UtcNow) - 1);
            account.LastStep = step;
            using var first = await http.PostAsJsonAsync("/auth/login", new { email = account.Email, password = Password });
            if (first.StatusCode != HttpStatusCode.Unauthorized)
                throw new InvalidOperationException($"The password step answered {(int)first.StatusCode}");
            var mfaToken = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mfaToken").GetString()!;
            await ReadAsync(await http.PostAsJsonAsync("/auth/login/mfa", new { mfaToken, code = account.Totp.ComputeTotp(DateTime.UnixEpoch.AddSeconds(step * 30)) }));
        }
        finally
        {
            pool.Enqueue(account);
        }
    }

    /// <summary>An account with a step left in the window; the pool is sized so that one always is.</summary>
    private static Account Take(ConcurrentQueue<Account> pool)
    {
        for (var tries = 0; ; tries++)
        {
            if (pool.TryDequeue(out var account))
            {
                if (account.LastStep < Step(DateTime.UtcNow) + 1)
                    return account;
                pool.Enqueue(account);
            }
            if (tries > 100_000)
                throw new InvalidOperationException("Every account has used its codes for now: give the run more accounts.");
        }
    }

    private static long Step(DateTime utc) => (long)(utc - DateTime.UnixEpoch).TotalSeconds / 30;

    private static async Task<List<double>> RunLoadAsync(int connections, TimeSpan duration, Func<Task> login)
    {
        var times = new ConcurrentBag<double>();
        var end = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (end.Elapsed < duration)
            {
                var one = Stopwatch.StartNew();
                await login();
                times.Add(one.Elapsed.TotalMilliseconds);
            }
        }));
        return [.. times];
    }

    private static double Median(List<double> times)
    {
        times.Sort();
        return times.Count == 0 ? 0 : times[times.Count / 2];
    }

    private static string Line(string what, List<double> times, TimeSpan duration) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}: {times.Count / duration.TotalSeconds:0.0} logins/s, one login {Median(times):0.0} ms (median)");

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string path, object body, string bearer) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body), Headers = { Authorization = new("Bearer", bearer) } });

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
