using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>A real SMTP server on loopback (SmtpServer) keeping every message it accepts.</summary>
public sealed partial class MailCatcher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Store _store = new();
    private Task _running = Task.CompletedTask;

    public int Port { get; private set; }

    /// <summary>What the service is given as SMTP_URL.</summary>
    public string Url => $"smtp://127.0.0.1:{Port}";

    public IReadOnlyCollection<MimeMessage> Received => _store.Messages;

    /// <summary>While set, every message is refused with 421 (a transient failure the sender retries).</summary>
    public bool Refusing { get => _store.Refusing; set => _store.Refusing = value; }

    /// <summary>While set, a message is held (the sender waits) until <see cref="Release"/>; set when one arrives.</summary>
    public TaskCompletionSource? Holding { get => _store.Holding; set => _store.Holding = value; }

    public void Release() => _store.Release.TrySetResult();

    public static Task<MailCatcher> StartAsync()
    {
        var catcher = new MailCatcher();
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            catcher.Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, catcher.Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(catcher._store);
        catcher._running = new SmtpServer.SmtpServer(options, services).StartAsync(catcher._stop.Token);
        return Task.FromResult(catcher);
    }

    /// <summary>A catcher, and <paramref name="api"/> started with it as its SMTP server; a client of the service.</summary>
    public static async Task<(MailCatcher Mail, AuthKeysApiFactory Api, HttpClient Client)> WithServiceAsync(AuthKeysApiFactory api)
    {
        var mail = await StartAsync();
        api.Settings["SMTP_URL"] = mail.Url;
        await api.StartAsync();
        return (mail, api, api.CreateClient());
    }

    /// <summary>Stops the service, then the catcher.</summary>
    public static async Task StopAsync(AuthKeysApiFactory api, MailCatcher mail)
    {
        await api.DisposeAsync();
        await mail.DisposeAsync();
    }

    /// <summary>The messages to <paramref name="address"/>, waiting up to 15 s until there are <paramref name="count"/>.</summary>
    public async Task<List<MimeMessage>> UntilReceivedAsync(string address, int count = 1)
    {
        List<MimeMessage> For() => [.. Received.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))];
        await Poll.UntilAsync(() => Task.FromResult(For().Count >= count), TimeSpan.FromSeconds(15), $"{count} message(s) to {address}");
        return For();
    }

    /// <summary>The one message to <paramref name="address"/> with <paramref name="subject"/>, waiting up to 15 s for it.</summary>
    public async Task<MimeMessage> UntilReceivedAsync(string address, string subject)
    {
        MimeMessage? Find() => Received.SingleOrDefault(m => m.Subject == subject && m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)));
        await Poll.UntilAsync(() => Task.FromResult(Find() is not null), TimeSpan.FromSeconds(15), $"\"{subject}\" to {address}");
        return Find()!;
    }

    /// <summary>The token of the link in <paramref name="message"/>.</summary>
    public static string TokenIn(MimeMessage message) =>
        Link().Match(message.TextBody ?? "") is { Success: true } match ? Uri.UnescapeDataString(match.Groups["token"].Value)
            : throw new InvalidOperationException($"No link in: {message.TextBody}");

    public async ValueTask DisposeAsync()
    {
        Release();
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    [GeneratedRegex(@"\?token=(?<token>[A-Za-z0-9_%-]+)")]
    private static partial Regex Link();

    private sealed class Store : MessageStore
    {
        public readonly ConcurrentQueue<MimeMessage> Queue = new();

        public IReadOnlyCollection<MimeMessage> Messages => Queue;

        public volatile bool Refusing;

        public TaskCompletionSource? Holding;

        public TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (Refusing)
                return new SmtpResponse(SmtpReplyCode.ServiceUnavailable, "try again later");
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            if (Holding is { } holding)
            {
                holding.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
                return SmtpResponse.Ok; // too late: the sender has gone
            }
            Queue.Enqueue(message);
            return SmtpResponse.Ok;
        }
    }
}
