using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// Coalesces "key used at" in memory; <see cref="ApiKeyUsageFlusher"/> writes them in one UPDATE,
/// so that API-key traffic costs no database write per request.
/// </summary>
public sealed class ApiKeyUsageRecorder(NpgsqlDataSource dataSource) : IDisposable
{
    /// <summary>lastUsedAt is kept to the second.</summary>
    private static readonly long ResolutionTicks = TimeSpan.FromSeconds(1).Ticks;

    /// <summary>Keeps each batch's arrays (32 KB at most) under the 85 KB large-object threshold.</summary>
    private const int BatchSize = 1_000;

    /// <summary>Marks a <see cref="PendingUse"/> a flush has dropped: a use must go to its successor.</summary>
    private const long Retired = long.MinValue;

    private readonly ConcurrentDictionary<Guid, PendingUse> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Keys with a use held in memory, written or not (a key idle for a whole flush interval is dropped).</summary>
    internal int PendingKeys => _pending.Count;

    public void Record(Guid keyId, DateTimeOffset usedAt)
    {
        // Keys in use keep their entry from flush to flush, so re-recording one (every key in use,
        // about once a second) is a compare-and-swap: no lock, no allocation.
        var ticks = usedAt.UtcTicks;
        var spin = new SpinWait();
        while (true)
        {
            var use = _pending.TryGetValue(keyId, out var found) ? found : _pending.GetOrAdd(keyId, static _ => new PendingUse());
            var latest = Volatile.Read(ref use.Latest);
            if (latest == Retired)
            {
                // A flush is removing this entry right now; the next lookup finds it gone.
                spin.SpinOnce();
                continue;
            }
            if (ticks - latest < ResolutionTicks || Interlocked.CompareExchange(ref use.Latest, ticks, latest) == latest)
                return;
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            // In batches: with thousands of keys in use, one array of them all would land on the
            // large-object heap every few seconds, and one UPDATE would grow with the key count.
            var batch = new List<(Guid KeyId, PendingUse Use, long Latest)>(BatchSize);
            foreach (var (keyId, use) in _pending)
            {
                var latest = Volatile.Read(ref use.Latest);
                if (latest > use.Written)
                {
                    batch.Add((keyId, use, latest));
                    if (batch.Count == BatchSize)
                    {
                        await WriteAsync(batch, cancellationToken);
                        batch.Clear();
                    }
                }
                // Nothing new since its last write: drop it, unless a use lands first (the swap
                // then fails and the entry stays); a use after the swap sees Retired and re-adds it.
                else if (latest != Retired && Interlocked.CompareExchange(ref use.Latest, Retired, latest) == latest)
                {
                    _pending.TryRemove(new KeyValuePair<Guid, PendingUse>(keyId, use));
                }
            }
            if (batch.Count > 0)
                await WriteAsync(batch, cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task WriteAsync(List<(Guid KeyId, PendingUse Use, long Latest)> batch, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE api_keys AS k SET last_used_at = u.used_at
            FROM unnest($1, $2) AS u(id, used_at)
            WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.used_at)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, TypedValue = [.. batch.Select(u => u.KeyId)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = [.. batch.Select(u => new DateTimeOffset(u.Latest, TimeSpan.Zero))] });
        await command.ExecuteNonQueryAsync(cancellationToken);

        // Only now count them as written: a failed write loses nothing and is retried next time.
        foreach (var (_, use, latest) in batch)
            use.Written = latest;
    }

    public void Dispose() => _flushing.Dispose();

    /// <summary>One key's latest use (UTC ticks) and the latest one written; Written is touched only under the flush lock.</summary>
    private sealed class PendingUse
    {
        public long Latest;
        public long Written;
    }
}

/// <summary>Writes recorded key uses every few seconds, and once more when the host stops.</summary>
internal sealed partial class ApiKeyUsageFlusher(ApiKeyUsageRecorder recorder, ILogger<ApiKeyUsageFlusher> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await TryFlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryFlushAsync(cancellationToken);
    }

    private async Task TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recorder.FlushAsync(cancellationToken);
        }
        // ObjectDisposedException: under WebApplicationFactory the host is stopped twice and can be
        // disposed between the two (dotnet/aspnetcore#40271), data source included; stopping must
        // not fail over last-used times.
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            LogFlushFailed(logger, e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not write API key last-used times; will retry")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
