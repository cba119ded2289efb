using System.Net;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;
using AuthKeys.Api.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Webhooks;

/// <summary>Deliveries to a real receiver on loopback (WEBHOOK_ALLOW_PRIVATE_TARGETS=true), the service's clock under the test's control.</summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;

    public WebhookDeliveryTests() => _api = new AuthKeysApiFactory
    {
        Time = _time,
        Settings = { ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true" },
    };

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task AFailedDeliveryIsRetriedWithTheSameIdAndASignatureThatVerifies()
    {
        _receiver.Answer = (n, _) => Task.FromResult(n == 0 ? 500 : 204);
        var account = await _client.SignupAsync();
        var (webhookId, secret) = await _client.CreateWebhookAsync(account.AccessToken, _receiver.Url, "key.created", "key.revoked");
        var key = await _client.CreateKeyAsync(account.AccessToken, "billing");
        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(key.Id), account.AccessToken, new { name = "billing-2" })).ReadJsonAsync(HttpStatusCode.OK); // not subscribed

        await _receiver.UntilReceivedAsync(1);
        var first = _receiver.Received.Single();
        first.Verify(secret);
        var payload = JsonDocument.Parse(first.Body).RootElement;
        Assert.Equal("key.created", payload.GetProperty("type").GetString());
        Assert.Equal(key.Id, payload.GetProperty("data").GetProperty("keyId").GetGuid());
        Assert.Equal(account.UserId, payload.GetProperty("data").GetProperty("userId").GetGuid());
        Assert.Equal("billing", payload.GetProperty("data").GetProperty("name").GetString());
        Assert.DoesNotContain(key.Key, first.Body, StringComparison.Ordinal);
        Assert.True(payload.TryGetProperty("timestamp", out _));

        var pending = await Poll1Async(webhookId, d => d.GetProperty("attempts").GetInt32() == 1);
        Assert.Equal(first.Id, pending.GetProperty("id").GetString());
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(500, pending.GetProperty("lastStatusCode").GetInt32());
        var wait = pending.GetProperty("nextAttemptAt").GetDateTimeOffset() - pending.GetProperty("lastAttemptAt").GetDateTimeOffset();
        Assert.InRange(wait, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(10)); // the first retry comes within 10 s

        Assert.Equal(0, await _api.Services.GetRequiredService<WebhookSender>().SendDueAsync(CancellationToken.None)); // not before it is due
        Assert.Single(_receiver.Received);
        _time.Advance(TimeSpan.FromSeconds(10));
        await _receiver.UntilReceivedAsync(2);
        var second = _receiver.Received.Last();
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Body, second.Body);
        second.Verify(secret);

        var delivered = await Poll1Async(webhookId, d => d.GetProperty("status").GetString() == "delivered");
        Assert.Equal(2, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(204, delivered.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, delivered.GetProperty("nextAttemptAt").ValueKind);
        var listed = (await _client.DeliveriesAsync(account.AccessToken, webhookId)).Single();
        Assert.Equal(first.Id, listed.GetProperty("id").GetString());
        Assert.Equal("key.created", listed.GetProperty("eventType").GetString());
        Assert.Equal("delivered", listed.GetProperty("status").GetString());
        Assert.Equal(2, listed.GetProperty("attempts").GetInt32());
        await using var db = _api.OpenDatabase();
        Assert.Equal(["500", "204"], await db.ReadColumnAsync($"SELECT status_code::text FROM webhook_attempts WHERE delivery_id = '{first.Id}' ORDER BY id"));
    }

    [Fact]
    public async Task ADeliveryThatKeepsFailingIsMarkedFailedAfterItsLastAttempt()
    {
        _receiver.Answer = (_, _) => Task.FromResult(503);
        var account = await _client.SignupAsync();
        var (webhookId, _) = await _client.CreateWebhookAsync(account.AccessToken, _receiver.Url, "key.created");
        await _client.CreateKeyAsync(account.AccessToken);

        for (var attempt = 1; attempt <= WebhookSender.MaxAttempts; attempt++)
        {
            await _receiver.UntilReceivedAsync(attempt);
            await Poll1Async(webhookId, d => d.GetProperty("attempts").GetInt32() == attempt);
            _time.Advance(TimeSpan.FromHours(13)); // longer than any wait of the schedule
        }

        var failed = await Poll1Async(webhookId, d => d.GetProperty("status").GetString() == "failed");
        Assert.Equal(WebhookSender.MaxAttempts, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(0, await _api.Services.GetRequiredService<WebhookSender>().SendDueAsync(CancellationToken.None));
        Assert.Equal(WebhookSender.MaxAttempts, _receiver.Received.Count);
    }

    [Fact]
    public void TheRetryScheduleStartsWithin10SecondsAndSpansMoreThan6Hours()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(WebhookSender.Backoff(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
            var span = Enumerable.Range(1, WebhookSender.MaxAttempts - 1).Select(WebhookSender.Backoff).Aggregate(TimeSpan.Zero, (a, b) => a + b);
            Assert.True(span >= TimeSpan.FromHours(6), $"{span}");
        }
        Assert.True(WebhookSender.MaxAttempts >= 6);
    }

    [Fact]
    public async Task RedirectsAreNotFollowed()
    {
        _receiver.Answer = (_, context) =>
        {
            context.Response.Headers.Location = "/elsewhere";
            return Task.FromResult(302);
        };
        var account = await _client.SignupAsync();
        var (webhookId, _) = await _client.CreateWebhookAsync(account.AccessToken, _receiver.Url, "key.created");
        await _client.CreateKeyAsync(account.AccessToken);

        var attempted = await Poll1Async(webhookId, d => d.GetProperty("attempts").GetInt32() == 1);
        Assert.Equal(302, attempted.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal("pending", attempted.GetProperty("status").GetString());
        Assert.All(_receiver.Received, r => Assert.Equal("/hook", r.Path));
    }

    [Fact]
    public async Task KeyExpiringIsSentOnceSevenDaysAheadAndAgainOnlyForANewExpiry()
    {
        var account = await _client.SignupAsync();
        var (webhookId, secret) = await _client.CreateWebhookAsync(account.AccessToken, _receiver.Url, "key.expiring");
        var later = await _client.CreateKeyAsync(account.AccessToken, "later", _time.GetUtcNow().AddDays(10));
        var soon = await _client.CreateKeyAsync(account.AccessToken, "soon", _time.GetUtcNow().AddDays(3));
        var notices = _api.Services.GetRequiredService<KeyExpiryNotices>();

        Assert.Equal(1, await notices.ScanAsync(CancellationToken.None));
        Assert.Equal(0, await notices.ScanAsync(CancellationToken.None));
        await _receiver.UntilReceivedAsync(1);
        var payload = JsonDocument.Parse(_receiver.Received.Single().Body).RootElement;
        Assert.Equal("key.expiring", payload.GetProperty("type").GetString());
        Assert.Equal(soon.Id, payload.GetProperty("data").GetProperty("keyId").GetGuid());
        _receiver.Received.Single().Verify(secret);

        await (await _client.SendWithTokenAsync(HttpMethod.Patch, Routes.Key(soon.Id), account.AccessToken, new { expiresAt = _time.GetUtcNow().AddDays(5) })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, await notices.ScanAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(4));
        Assert.Equal(1, await notices.ScanAsync(CancellationToken.None)); // "later" is now 6 days away
        Assert.Equal(0, await notices.ScanAsync(CancellationToken.None));

        await _receiver.UntilReceivedAsync(3);
        var keys = _receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("keyId").GetGuid()).ToList();
        // The two due at once may be claimed together and sent in parallel: they arrive in either order.
        Assert.Equal(new[] { soon.Id, soon.Id, later.Id }.Order(), keys.Order());
        await WebhookReads.UntilOutboxSettledAsync(_api);
        Assert.Equal(3, _receiver.Received.Count);
        Assert.Equal(3, (await DeliveriesAsync(webhookId)).Count);
    }

    [Fact]
    public async Task UsageExceededIsSentOnceWhenTheQuotaRunsOut()
    {
        var account = await _client.SignupAsync();
        var (webhookId, _) = await _client.CreateWebhookAsync(account.AccessToken, _receiver.Url, "key.usage_exceeded");
        var key = (await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken, new { name = "metered", remaining = 2 })).ReadJsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await _client.GetWithKeyAsync(Routes.ServiceOnly, key)).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        await _receiver.UntilReceivedAsync(1);
        Assert.Equal("key.usage_exceeded", JsonDocument.Parse(_receiver.Received.Single().Body).RootElement.GetProperty("type").GetString());
        await WebhookReads.UntilOutboxSettledAsync(_api);
        Assert.Single(_receiver.Received);
        Assert.Single(await DeliveriesAsync(webhookId));
    }

    private async Task<List<JsonElement>> DeliveriesAsync(Guid webhookId)
    {
        // Read from the database: the owner's token may have expired on the advanced clock.
        await using var db = _api.OpenDatabase();
        return [.. (await db.ReadColumnAsync($"SELECT json_build_object('id', id, 'status', status, 'attempts', attempts)::text FROM webhook_deliveries WHERE webhook_id = '{webhookId}'"))
            .Select(json => JsonDocument.Parse(json).RootElement)];
    }

    /// <summary>The webhook's single delivery (read from the database), once it matches <paramref name="condition"/>.</summary>
    private async Task<JsonElement> Poll1Async(Guid webhookId, Func<JsonElement, bool> condition)
    {
        JsonElement? found = null;
        await Poll.UntilAsync(async () =>
        {
            await using var db = _api.OpenDatabase();
            var rows = await db.ReadColumnAsync($"""
                SELECT json_build_object('id', id, 'status', status, 'attempts', attempts, 'lastStatusCode', last_status_code,
                       'lastAttemptAt', last_attempt_at, 'nextAttemptAt', next_attempt_at)::text
                FROM webhook_deliveries WHERE webhook_id = '{webhookId}'
                """);
            found = rows.Count == 1 ? JsonDocument.Parse(rows[0]).RootElement : null;
            return found is { } delivery && condition(delivery);
        }, TimeSpan.FromSeconds(20), "the delivery reaches the expected state");
        return found!.Value;
    }
}
