using AuthKeys.Api.Audit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AuthKeys.Api.Webhooks;

/// <summary>
/// Sends key.expiring once per key, 7 days before it expires: every node scans now and then, and one
/// statement marks each due key and records its event, so two nodes scanning at once cannot both
/// send one (the second finds the mark). Requests never pay for it.
/// </summary>
public sealed partial class KeyExpiryNotices(NpgsqlDataSource dataSource, IOptions<WebhookOptions> options, TimeProvider time, ILogger<KeyExpiryNotices> logger)
    : BackgroundService
{
    public static readonly TimeSpan Notice = TimeSpan.FromDays(7);

    private const string ScanSql = $"""
        WITH due AS (
            UPDATE api_keys SET expiry_notice_sent_at = $1
            WHERE expires_at > $1 AND expires_at <= $2
              AND expiry_notice_sent_at IS NULL AND revoked_at IS NULL AND superseded_by IS NULL AND is_active
            RETURNING id, user_id, name, prefix, expires_at)
        INSERT INTO audit_events (id, user_id, type, occurred_at, key_id, details)
        SELECT gen_random_uuid(), user_id, '{EventTypes.KeyExpiring}', $1, id,
               jsonb_build_object('name', name, 'prefix', prefix, 'expiresAt', to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM due
        """;

    /// <summary>Records key.expiring for every key due; the number recorded.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(ScanSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + Notice });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryScanInterval);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Never out of the loop (an exception escaping a BackgroundService stops the host); the next tick tries again.
                LogScanFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    [LoggerMessage(LogLevel.Warning, "key.expiring scan failed ({Error}); trying again at the next interval")]
    private static partial void LogScanFailed(ILogger logger, string error);
}
