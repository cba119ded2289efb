using AuthKeys.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AuthKeys.Api.Audit;

public sealed class AuditOptions
{
    /// <summary>AUDIT_RETENTION_DAYS: events (and finished webhook deliveries) older than this are deleted.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often each node purges.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    internal static void Bind(AuditOptions options, EnvironmentReader env) =>
        options.RetentionDays = env.WholeNumber("AUDIT_RETENTION_DAYS", options.RetentionDays, 1, 36500);
}

/// <summary>
/// Deletes what is past retention in batches of <see cref="BatchSize"/>, each its own short
/// statement, so a large backlog never holds long locks or one huge transaction. Nodes may purge
/// at once: a row is deleted once, the other finds it gone.
/// </summary>
public sealed partial class AuditRetention(NpgsqlDataSource dataSource, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetention> logger)
    : BackgroundService
{
    public const int BatchSize = 1000;

    private const string PurgeEventsSql = "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < $1 LIMIT $2)";
    private const string PurgeDeliveriesSql = "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE created_at < $1 AND status <> 'pending' LIMIT $2)";

    /// <summary>Deletes everything past retention; the number of rows deleted.</summary>
    public async Task<long> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        long total = 0;
        foreach (var sql in (string[])[PurgeEventsSql, PurgeDeliveriesSql])
        {
            int deleted;
            do
            {
                await using var command = dataSource.CreateCommand(sql);
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
                deleted = await command.ExecuteNonQueryAsync(cancellationToken);
                total += deleted;
            }
            while (deleted == BatchSize);
        }
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval);
        do
        {
            try
            {
                var deleted = await PurgeAsync(stoppingToken);
                if (deleted > 0)
                    LogPurged(logger, deleted, options.Value.RetentionDays);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Never out of the loop (an exception escaping a BackgroundService stops the host); the next tick tries again.
                LogPurgeFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} audit events and webhook deliveries older than {Days} days")]
    private static partial void LogPurged(ILogger logger, long count, int days);

    [LoggerMessage(LogLevel.Warning, "Audit retention purge failed ({Error}); trying again at the next interval")]
    private static partial void LogPurgeFailed(ILogger logger, string error);
}
