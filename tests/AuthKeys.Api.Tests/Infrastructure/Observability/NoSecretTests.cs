using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace AuthKeys.Api.Tests.Infrastructure.Observability;

/// <summary>
/// A full flow with logging at Debug and tracing on; every log line (message, structured values,
/// exceptions, scopes), every metric sample and every span (name, attributes, events) is searched
/// for every secret the flow used. It guards every future change: a new log line or attribute that
/// carries a credential fails here.
/// </summary>
[Collection(nameof(Telemetry))]
public sealed class NoSecretTests : IAsyncLifetime
{
    private static readonly string[] IntrospectScope = ["tokens:introspect"];

    private readonly Spans _spans = new();
    private readonly AuthKeysApiFactory _api;
    private WebhookReceiver _receiver = null!;

    public NoSecretTests() => _api = new AuthKeysApiFactory
    {
        ConfigureServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans)),
        Settings =
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Debug",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Update"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Debug",
            ["Logging:LogLevel:Npgsql"] = "Debug",
            // Turns tracing on; nothing listens there, the spans are read from memory below.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
            ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true",
            ["REFRESH_REUSE_GRACE_SECONDS"] = "0",
        },
    };

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        await _api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task NoPasswordKeyTokenCodeOrWebhookSecretReachesLogsMetricsOrSpans()
    {
        var client = _api.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("no-secret-test/1.0");
        var secrets = new List<string>();

        var account = await client.SignupAsync();
        secrets.AddRange([account.Password, account.AccessToken, account.RefreshToken]);
        await (await client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = "Wrong-Guess-0042" })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        secrets.Add("Wrong-Guess-0042");
        var login = await client.LoginAsync(account.Email);
        var (access, refresh) = (login.GetProperty("accessToken").GetString()!, login.GetProperty("refreshToken").GetString()!);
        secrets.AddRange([access, refresh]);
        var refreshed = await (await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = refresh })).ReadJsonAsync(HttpStatusCode.OK);
        access = refreshed.GetProperty("accessToken").GetString()!;
        secrets.AddRange([access, refreshed.GetProperty("refreshToken").GetString()!]);
        var other = (await client.LoginAsync(account.Email)).GetProperty("refreshToken").GetString()!;
        secrets.Add(other);
        secrets.Add((await (await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = other })).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("refreshToken").GetString()!);
        await (await client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = other })).ReadProblemAsync(HttpStatusCode.Unauthorized); // reuse: that session ends

        var (webhookId, webhookSecret) = await client.CreateWebhookAsync(access, _receiver.Url, "key.created", "key.rolled", "password.changed");
        secrets.AddRange([webhookSecret, webhookSecret["whsec_".Length..]]);
        var key = await client.CreateKeyAsync(access, "traced");
        secrets.Add(key.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(Routes.Flexible, access)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetWithKeyAsync(Routes.ServiceOnly, key.Key[..^4] + "0000")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendWithTokenAsync(HttpMethod.Post, "/keys/verify", access, new { key = key.Key })).StatusCode);
        var rolled = await (await client.SendWithTokenAsync(HttpMethod.Post, $"{Routes.Key(key.Id)}/roll", access)).ReadJsonAsync(HttpStatusCode.Created);
        secrets.Add(rolled.GetProperty("key").GetString()!);
        const string NewPassword = "Violet-Harbour-77";
        secrets.Add(NewPassword);
        Assert.Equal(HttpStatusCode.OK, (await client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, access, new { currentPassword = account.Password, newPassword = NewPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode); // ended by the change

        // A second factor: its secret, the recovery codes, an mfaToken and the codes sent.
        var guarded = await client.SignupAsync();
        var app = await client.EnableMfaAsync(guarded, TimeProvider.System);
        secrets.AddRange([app.Secret, .. app.RecoveryCodes, .. app.RecoveryCodes.Select(c => c.Replace("-", "", StringComparison.Ordinal))]);
        var mfaToken = await client.MfaTokenAsync(guarded.Email);
        secrets.Add(mfaToken);
        await (await client.LoginWithCodeAsync(mfaToken, "000000")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var code = app.CodeAt(DateTimeOffset.UtcNow.AddSeconds(SecondFactors.StepSeconds));
        await (await client.LoginWithCodeAsync(mfaToken, code)).ReadJsonAsync(HttpStatusCode.OK);
        await client.LoginWithMfaAsync(guarded.Email, app.RecoveryCodes[0]);
        // Six digits turn up in timings and ids by chance; quoted, they would be a body or a value logged.
        secrets.AddRange([$"\"{code}\"", $"={code}"]);

        // OAuth: a key traded for a token (HTTP Basic), the token introspected, the key revoked by its holder.
        var created = await (await client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, access,
            new { name = "oauth", scopes = IntrospectScope })).ReadJsonAsync(HttpStatusCode.Created);
        var (serviceId, serviceKey) = (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
        secrets.Add(serviceKey);
        var basic = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{serviceId}:{serviceKey}"));
        secrets.Add(basic);
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, Routes.OAuthToken) { Content = OAuth.ClientCredentialsTests.Form(("grant_type", "client_credentials")) };
        tokenRequest.Headers.Authorization = new("Basic", basic);
        var serviceToken = (await (await client.SendAsync(tokenRequest)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
        secrets.Add(serviceToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(Routes.ServiceOnly, serviceToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Routes.OAuthIntrospect, OAuth.ClientCredentialsTests.Form(
            ("token", serviceToken), ("client_id", serviceId), ("client_secret", serviceKey)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Routes.OAuthRevoke, OAuth.ClientCredentialsTests.Form(("token", serviceKey)))).StatusCode);

        await _receiver.UntilReceivedAsync(3);
        var metrics = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(WebhookReads.Deliveries(webhookId), access)).StatusCode);

        // Spans end when their request does; the sender's spans when its batch does.
        await Poll.UntilAsync(() => Task.FromResult(_spans.Snapshot().Any(s => s.OperationName == "webhook deliver")), TimeSpan.FromSeconds(10), "a webhook delivery span");
        var spans = _spans.Snapshot();
        Assert.Contains(spans, s => s.Source.Name == "Microsoft.AspNetCore");
        Assert.Contains(spans, s => s.Source.Name == "Npgsql");
        var spanText = spans.Select(s => $"{s.DisplayName} {s.OperationName} {string.Join(' ', s.TagObjects.Select(t => $"{t.Key}={t.Value}"))} "
            + string.Join(' ', s.Events.Select(e => $"{e.Name} {string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}"))}"))).ToList();
        var logs = _api.Logs.Entries.Select(e => e.Everything).Concat(_api.Logs.Scopes).ToList();
        Assert.True(logs.Count > 100, $"only {logs.Count} log entries: is Debug logging on?");
        Assert.Contains(logs, l => l.Contains("Executed DbCommand", StringComparison.Ordinal));

        foreach (var secret in secrets.Distinct())
        {
            var shown = secret[..4] + "…";
            Assert.False(logs.Any(l => l.Contains(secret, StringComparison.Ordinal)), $"a log entry contains the secret {shown}: {logs.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal))}");
            Assert.False(metrics.Contains(secret, StringComparison.Ordinal), $"a metric contains the secret {shown}");
            Assert.False(spanText.Any(s => s.Contains(secret, StringComparison.Ordinal)), $"a span contains the secret {shown}: {spanText.FirstOrDefault(s => s.Contains(secret, StringComparison.Ordinal))}");
        }
        // A receiver's URL path can hold its own secret: delivery spans name scheme and host only.
        var deliveries = spans.Where(s => s.Source.Name == "System.Net.Http" && s.GetTagItem("url.full") is string url && url.StartsWith(_receiver.Url[..^"/hook".Length], StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(deliveries);
        Assert.All(deliveries, d => Assert.Equal(_receiver.Url[..^"hook".Length], d.GetTagItem("url.full")));
        Assert.DoesNotContain(spanText, s => s.Contains(_receiver.Url, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Concat(spanText), l => l.Contains("Bearer ey", StringComparison.Ordinal) || l.Contains("x-api-key: sk_", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The exporter adds from its own thread while the test reads.</summary>
    private sealed class Spans : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly Lock _lock = new();

        public Activity[] Snapshot()
        {
            lock (_lock)
                return [.. Items];
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock)
                base.InsertItem(index, item);
        }
    }
}
