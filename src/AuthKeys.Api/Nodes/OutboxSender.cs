using Npgsql;

namespace AuthKeys.Api.Nodes;

/// <summary>
/// The loop every outbox runs on every node (webhook deliveries, mail). A subclass claims a batch
/// of due rows with <c>FOR UPDATE SKIP LOCKED</c> in a transaction it holds while it sends them,
/// so that each attempt is made by exactly one node, and records each outcome with the claim; a
/// crash or a shutdown mid-send rolls the claim back and the rows are due again at once
/// (at-least-once). A new row wakes the senders through the notice its table's trigger sends on
/// <see cref="Channel"/>; retries fall due without one, so the table is also polled.
/// </summary>
public abstract partial class OutboxSender(ILogger logger) : BackgroundService, IDatabaseWakeUp
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Rows claimed at once; a full batch is followed by the next without waiting.</summary>
    public abstract int BatchSize { get; }

    public abstract string Channel { get; }

    protected abstract TimeSpan PollInterval { get; }

    /// <summary>What the logs call the rows: "webhook deliveries", "mail".</summary>
    protected abstract string What { get; }

    /// <summary>Claims, sends and records one batch; the number claimed.</summary>
    public abstract Task<int> SendDueAsync(CancellationToken cancellationToken);

    /// <summary>The wait after the <paramref name="attempts"/>th failed attempt: <paramref name="first"/> × <paramref name="factor"/>^(n−1), ±20%.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan first, double factor) =>
        first * (Math.Pow(factor, attempts - 1) * (0.8 + (0.4 * Random.Shared.NextDouble())));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await SendDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // the claim rolled back: the rows are due again for the next node to start
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogDatabaseUnavailable(logger, What, e.GetType().Name);
            }
            catch (Exception e)
            {
                if (stoppingToken.IsCancellationRequested)
                    return; // torn down mid-batch: the claim rolled back
                // Whatever else went wrong with one batch must not stop this node's sender (an
                // exception escaping a BackgroundService stops the host): the claim rolled back.
                LogBatchFailed(logger, What, e);
            }
            if (claimed < BatchSize)
                await _wake.WaitAsync(PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // already woken, or shutting down
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(LogLevel.Error, "A batch of {What} failed; its rows are due again")]
    private static partial void LogBatchFailed(ILogger logger, string what, Exception exception);

    [LoggerMessage(LogLevel.Warning, "The {What} sender cannot reach the database ({Error}); retrying")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string what, string error);
}
