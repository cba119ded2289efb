using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>A real HTTP endpoint on loopback that records every delivery and answers as the test says.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>How the nth request (0-based) is answered: a status code, after whatever the function awaits.</summary>
    public Func<int, HttpContext, Task<int>> Answer { get; set; } = (_, _) => Task.FromResult(200);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        var count = 0;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var received = new ReceivedWebhook(context.Request.Path, body, new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
            receiver.Received.Enqueue(received);
            context.Response.StatusCode = await receiver.Answer(Interlocked.Increment(ref count) - 1, context);
        });
        await app.StartAsync();
        receiver.Url = app.Urls.Single() + "/hook";
        return receiver;
    }

    public Task UntilReceivedAsync(int count) =>
        Poll.UntilAsync(() => Task.FromResult(Received.Count >= count), TimeSpan.FromSeconds(20), $"{count} deliveries received");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedWebhook(string Path, string Body, IHeaderDictionary Headers)
{
    public string Id => Headers["webhook-id"].ToString();

    /// <summary>Checks the signature as a receiver would, with the Standard Webhooks library; throws when it does not match.</summary>
    public void Verify(string secret) => new StandardWebhook(secret).Verify(Body, Headers);
}
