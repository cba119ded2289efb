using System.Net;
using System.Text.Json;

namespace AuthKeys.Api.Tests.Testing;

public static class WebhookReads
{
    public const string Webhooks = "/webhooks";
    public const string Audit = "/audit";

    public static string Webhook(object id) => $"/webhooks/{id}";

    public static string Deliveries(object id) => $"/webhooks/{id}/deliveries";

    /// <summary>Registers a webhook; its id and secret.</summary>
    public static async Task<(Guid Id, string Secret)> CreateWebhookAsync(this HttpClient client, string accessToken, string url, params string[] events)
    {
        var body = await (await client.SendWithTokenAsync(HttpMethod.Post, Webhooks, accessToken, new { url, events })).ReadJsonAsync(HttpStatusCode.Created);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(this HttpClient client, string accessToken, Guid webhookId) =>
        [.. (await (await client.GetWithTokenAsync(Deliveries(webhookId), accessToken)).ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray()];

    /// <summary>Every audit event of the caller, newest first, read page by page.</summary>
    public static async Task<List<JsonElement>> AuditAsync(this HttpClient client, string accessToken, int limit = 100)
    {
        var events = new List<JsonElement>();
        string? next = null;
        do
        {
            var page = await (await client.GetWithTokenAsync($"{Audit}?limit={limit}" + (next is null ? "" : $"&before={next}"), accessToken)).ReadJsonAsync(HttpStatusCode.OK);
            events.AddRange(page.GetProperty("items").EnumerateArray());
            next = page.GetProperty("next").GetString();
        }
        while (next is not null);
        return events;
    }

    /// <summary>
    /// Until no delivery in the node's database is pending: each is marked delivered or failed by
    /// the commit that follows its post, so from then on no post is in flight and none will come.
    /// </summary>
    public static Task UntilOutboxSettledAsync(AuthKeysApiFactory node) =>
        Poll.UntilAsync(async () =>
        {
            await using var db = node.OpenDatabase();
            return await db.ReadColumnAsync("SELECT count(*)::text FROM webhook_deliveries WHERE status = 'pending'") is ["0"];
        }, TimeSpan.FromSeconds(20), "no webhook delivery is pending");

    public static List<string> Types(this List<JsonElement> events) => events.ConvertAll(e => e.GetProperty("type").GetString()!);
}
