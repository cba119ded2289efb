using System.Collections.Concurrent;
using System.Net;
using AuthKeys.Api.Tests.Testing;
using Npgsql;

namespace AuthKeys.Api.Tests.Webhooks;

/// <summary>The outbox with several nodes, restarts, and a target that moved inside after registration.</summary>
public sealed class WebhookNodeTests
{
    private static readonly (string, string) AllowPrivate = ("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true");

    private static AuthKeysApiFactory Node((string Name, string Value) setting, AuthKeysApiFactory? sameDatabaseAs = null) =>
        new() { SameDatabaseAs = sameDatabaseAs, Settings = { [setting.Name] = setting.Value } };

    [Fact]
    public async Task TwoNodesSendingAtOnceDeliverEachEventExactlyOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var nodes = await TwoNodes.StartAsync(AllowPrivate);
        var (clientA, clientB) = (nodes.A.CreateClient(), nodes.B.CreateClient());
        var account = await clientA.SignupAsync();
        await clientA.CreateWebhookAsync(account.AccessToken, receiver.Url, "key.created", "key.revoked");

        const int Keys = 30;
        await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => (i % 2 == 0 ? clientA : clientB).CreateKeyAsync(account.AccessToken, $"k{i}")));

        await receiver.UntilReceivedAsync(Keys);
        await WebhookReads.UntilOutboxSettledAsync(nodes.A);
        var ids = receiver.Received.Select(r => r.Id).ToList();
        Assert.Equal(Keys, ids.Count);
        Assert.Equal(Keys, ids.Distinct().Count());
        await using var db = nodes.A.OpenDatabase();
        Assert.Equal([$"{Keys}"], await db.ReadColumnAsync("SELECT count(*)::text FROM webhook_attempts"));
    }

    [Fact]
    public async Task ADeliveryInterruptedByAShutdownIsDeliveredAfterTheRestart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var arrived = new TaskCompletionSource();
        receiver.Answer = async (n, context) =>
        {
            if (n > 0)
                return 200;
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default); // until the sender gives up on it
            return 200;
        };
        await using var first = Node(AllowPrivate);
        await first.StartAsync();
        var client = first.CreateClient();
        var account = await client.SignupAsync();
        var (webhookId, secret) = await client.CreateWebhookAsync(account.AccessToken, receiver.Url, "key.created");
        await client.CreateKeyAsync(account.AccessToken);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await first.StopServiceAsync();
        await using (var db = first.OpenDatabase())
            Assert.Equal(["pending 0"], await db.ReadColumnAsync($"SELECT status || ' ' || attempts FROM webhook_deliveries WHERE webhook_id = '{webhookId}'"));

        await using var restarted = Node(AllowPrivate, sameDatabaseAs: first);
        await restarted.StartAsync();
        await receiver.UntilReceivedAsync(2);
        var received = receiver.Received.ToList();
        Assert.Equal(received[0].Id, received[1].Id);
        received[1].Verify(secret);
        await Poll.UntilAsync(async () =>
        {
            await using var db = restarted.OpenDatabase();
            return await db.ReadColumnAsync($"SELECT status || ' ' || attempts FROM webhook_deliveries WHERE webhook_id = '{webhookId}'") is ["delivered 1"];
        }, TimeSpan.FromSeconds(20), "the delivery is recorded as delivered");
    }

    [Fact]
    public async Task ATargetThatNowResolvesInsideIsRefusedAtDeliveryTime()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var node = new AuthKeysApiFactory(); // production default: public targets only
        await node.StartAsync();
        var client = node.CreateClient();
        var account = await client.SignupAsync();
        var (webhookId, _) = await client.CreateWebhookAsync(account.AccessToken, "https://93.184.215.14/hooks", "key.created");
        // As if its DNS name now pointed at the loopback receiver (a rebinding attack).
        await using (var db = node.OpenDatabase())
            await new Npgsql.NpgsqlCommand($"UPDATE webhooks SET url = '{receiver.Url.Replace("http://", "https://", StringComparison.Ordinal)}' WHERE id = '{webhookId}'", db).ExecuteNonQueryAsync();

        await client.CreateKeyAsync(account.AccessToken);

        await Poll.UntilAsync(async () =>
        {
            await using var db = node.OpenDatabase();
            return (await db.ReadColumnAsync($"SELECT coalesce(a.error, '') FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = '{webhookId}'")) is [var error]
                && error.Contains("non-public", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), "the attempt is recorded as refused");
        var delivery = (await client.DeliveriesAsync(account.AccessToken, webhookId)).Single();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, delivery.GetProperty("lastStatusCode").ValueKind);
        Assert.Empty(receiver.Received);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Routes.Health)).StatusCode);
    }

    [Fact]
    public async Task ANewDeliveryIsAnnouncedToTheSendersWhenItCommits()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var node = Node(AllowPrivate);
        await node.StartAsync();
        var client = node.CreateClient();
        var account = await client.SignupAsync();
        await using var listener = node.OpenDatabase();
        var notices = new ConcurrentQueue<string>();
        listener.Notification += (_, e) => notices.Enqueue(e.Channel);
        await new NpgsqlCommand("LISTEN authkeys_outbox", listener).ExecuteNonQueryAsync();

        await client.CreateKeyAsync(account.AccessToken); // no webhook yet: nothing to deliver, nothing announced
        Assert.Equal(0, await DrainAsync(listener, notices));
        await client.CreateWebhookAsync(account.AccessToken, receiver.Url, "key.revoked");
        await client.CreateKeyAsync(account.AccessToken); // not subscribed
        Assert.Equal(0, await DrainAsync(listener, notices));
        var key = await client.CreateKeyAsync(account.AccessToken);
        await (await client.SendWithTokenAsync(HttpMethod.Delete, Routes.Key(key.Id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, await DrainAsync(listener, notices));
        await receiver.UntilReceivedAsync(1);
    }

    private static async Task<int> DrainAsync(NpgsqlConnection listener, ConcurrentQueue<string> notices)
    {
        // Npgsql raises notices it reads while running a command; the backend learns of a commit by a signal.
        await new NpgsqlCommand("SELECT 1", listener).ExecuteNonQueryAsync();
        await Task.Delay(100);
        await new NpgsqlCommand("SELECT 1", listener).ExecuteNonQueryAsync();
        var count = 0;
        while (notices.TryDequeue(out _))
            count++;
        return count;
    }
}
