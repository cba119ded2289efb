using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Observability;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AuthKeys.Api.Nodes;

public sealed class RevocationOptions
{
    /// <summary>How long cached credential state is trusted while revocation notices may be missed.</summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The listening connection: the service's own database unless ConnectionStrings__Listener is set.</summary>
    public string ConnectionString { get; set; } = "";

    internal static void Bind(RevocationOptions options, EnvironmentReader env, DatabaseOptions database)
    {
        options.MaxStaleness = TimeSpan.FromSeconds(env.WholeNumber("REVOCATION_MAX_STALENESS_SECONDS", (int)options.MaxStaleness.TotalSeconds, 1, 3600));
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(env.Value("ConnectionStrings:Listener") ?? database.ConnectionString);
        }
        catch (ArgumentException)
        {
            env.Problem("ConnectionStrings__Listener", "is not a valid PostgreSQL connection string");
            return;
        }
        // Outside the pool (a LISTEN belongs to one session, and pooled connections are reset), and
        // named so that operators can find it in pg_stat_activity. A closed or terminated connection
        // fails the wait at once; one that silently stops answering (a network partition) is found
        // by Npgsql's ping after 2 s of silence (a protocol-level sync, not a query): without it, a
        // node would trust its caches for as long as the partition lasts (a test freezes the link).
        builder.ApplicationName = "authkeys-listener";
        builder.Pooling = false;
        builder.Multiplexing = false;
        builder.MaxAutoPrepare = 0;
        if (builder.KeepAlive == 0)
            builder.KeepAlive = 2;
        options.ConnectionString = builder.ConnectionString;
    }
}

/// <summary>Woken by a database NOTIFY on <see cref="Channel"/>, received on the node's one listening connection.</summary>
public interface IDatabaseWakeUp
{
    string Channel { get; }

    void Wake();
}

/// <summary>
/// Keeps one connection per node LISTENing for the notices the database triggers send when a
/// credential changes, and hands each to the caches (and the channels of <see cref="IDatabaseWakeUp"/>s
/// to them). While the connection is down the node may miss
/// notices: <see cref="CacheTrust"/> then limits how long cached state is believed; the listener
/// reconnects by itself with backoff and, once listening again, clears every cache.
/// </summary>
public sealed partial class RevocationListener(
    IOptions<RevocationOptions> options,
    CacheTrust trust,
    IEnumerable<IRevocationSubscriber> subscribers,
    IEnumerable<IDatabaseWakeUp> wakeUps,
    AuthKeysMetrics metrics,
    ILogger<RevocationListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    private readonly IRevocationSubscriber[] _subscribers = subscribers.ToArray();
    private readonly IDatabaseWakeUp[] _wakeUps = wakeUps.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        var outageLogged = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(options.Value.ConnectionString);
                connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                await connection.OpenAsync(stoppingToken);
                var channels = string.Concat(_wakeUps.Select(w => $"; LISTEN {w.Channel}"));
                await using (var listen = new NpgsqlCommand($"LISTEN {RevocationNotice.Channel}{channels}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                foreach (var wakeUp in _wakeUps)
                    wakeUp.Wake(); // whatever was signalled while this node was not listening

                // From here on every committed change reaches this node; what it cached before may be stale.
                foreach (var subscriber in _subscribers)
                    subscriber.Clear();
                trust.MarkListening();
                metrics.ListenerState(up: true);
                LogListening(logger);
                retry = FirstRetry;
                outageLogged = false;
                while (true)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever broke (the server, the network, a notice nobody could handle), the way
                // back is the same: stop trusting the caches, reconnect, clear them.
                trust.MarkDeaf();
                metrics.ListenerState(up: false);
                if (!outageLogged)
                {
                    LogDeaf(logger, (int)trust.MaxStaleness.TotalSeconds, e.Message);
                    outageLogged = true;
                }
            }

            try
            {
                // Jittered, so that nodes cut off together do not all reconnect in the same instant.
                await Task.Delay(retry * (0.8 + 0.4 * Random.Shared.NextDouble()), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    private void Dispatch(string channel, string payload)
    {
        if (channel != RevocationNotice.Channel)
        {
            foreach (var wakeUp in _wakeUps)
            {
                if (wakeUp.Channel == channel)
                    wakeUp.Wake();
            }
            return;
        }
        if (!RevocationNotice.TryParse(payload, out var notice))
        {
            LogUnknownNotice(logger, payload.Length);
            return;
        }
        metrics.RevocationNotice(notice.Scope switch
        {
            RevocationScope.ApiKey => AuthKeysMetrics.NoticeKind.Key,
            RevocationScope.Session => AuthKeysMetrics.NoticeKind.Session,
            _ => AuthKeysMetrics.NoticeKind.All,
        });
        foreach (var subscriber in _subscribers)
        {
            if (notice.Scope == RevocationScope.Everything)
                subscriber.Clear();
            else
                subscriber.OnRevoked(notice);
        }
    }

    [LoggerMessage(LogLevel.Information, "Listening for revocation notices; caches cleared")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Revocation listener is not connected ({Reason}); cached credentials are trusted for at most {Seconds} s until it is back")]
    private static partial void LogDeaf(ILogger logger, int seconds, string reason);

    [LoggerMessage(LogLevel.Warning, "Ignored a revocation notice of unknown form ({Length} characters)")]
    private static partial void LogUnknownNotice(ILogger logger, int length);
}
