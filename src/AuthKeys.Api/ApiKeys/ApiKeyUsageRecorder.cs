using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// Coalesces "key used at" in memory; <see cref="ApiKeyUsageFlusher"/> writes them in one UPDATE,
/// so that API-key traffic costs no database write per request.
/// </summary>
public sealed class ApiKeyUsageRecorder(NpgsqlDataSource dataSource)
{
    /// <summary>lastUsedAt is kept to the second.</summary>
    private static readonly TimeSpan Resolution = TimeSpan.FromSeconds(1);

    /// <summary>Keeps each batch's arrays (32 KB at most) under the 85 KB large-object threshold.</summary>
    private const int BatchSize = 1_000;

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _pending = new();

    public void Record(Guid keyId, DateTimeOffset usedAt)
    {
        // A busy key is used many times a second; a lock-free read skips the write for all but one.
        if (_pending.TryGetValue(keyId, out var recorded) && usedAt - recorded < Resolution)
            return;
        _pending.AddOrUpdate(keyId, static (_, used) => used, static (_, previous, used) => used > previous ? used : previous, usedAt);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // In batches: with thousands of keys in use, one array of them all would land on the
        // large-object heap every few seconds, and one UPDATE would grow with the key count.
        var batch = new List<KeyValuePair<Guid, DateTimeOffset>>(BatchSize);
        foreach (var use in _pending)
        {
            batch.Add(use);
            if (batch.Count == BatchSize)
            {
                await WriteAsync(batch, cancellationToken);
                batch.Clear();
            }
        }
        if (batch.Count > 0)
            await WriteAsync(batch, cancellationToken);
    }

    private async Task WriteAsync(List<KeyValuePair<Guid, DateTimeOffset>> batch, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE api_keys AS k SET last_used_at = u.used_at
            FROM unnest($1, $2) AS u(id, used_at)
            WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.used_at)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, TypedValue = [.. batch.Select(u => u.Key)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = [.. batch.Select(u => u.Value)] });
        await command.ExecuteNonQueryAsync(cancellationToken);

        // Only now forget them, and only where no newer use arrived meanwhile: a failed write loses nothing.
        foreach (var use in batch)
            _pending.TryRemove(use);
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
