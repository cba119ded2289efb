using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Web;
using Npgsql;

namespace AuthKeys.Api.ApiKeys.Limits;

public static class RefillIntervals
{
    public const string Daily = "daily";
    public const string Monthly = "monthly";

    public static bool IsKnown(string? interval) => interval is Daily or Monthly;

    /// <summary>The start (UTC) of the refill period <paramref name="now"/> falls in.</summary>
    public static DateTimeOffset PeriodStart(string interval, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return interval == Daily
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Remaining as of <paramref name="now"/>: a refill due but not yet applied (it is applied by the next use) counts.</summary>
    public static int? Effective(ApiKey key, DateTimeOffset now) =>
        key is { RefillAmount: { } amount, RefillInterval: { } interval } && (key.LastRefilledAt is null || key.LastRefilledAt < PeriodStart(interval, now))
            ? amount
            : key.Remaining;
}

/// <summary>
/// Usage quotas, counted in PostgreSQL: one atomic UPDATE … RETURNING per use of a key that has
/// one, so concurrent uses on any number of nodes take exactly as many as there are. A refill due
/// (a new day or month since the last) is applied by the same statement, so it happens at most once
/// per period. The use that takes the last one records key.usage_exceeded in the same statement
/// (so exactly once, and its webhooks with it); other uses write nothing more. Keys without a
/// quota never come here.
/// </summary>
public sealed class UsageQuota(NpgsqlDataSource dataSource)
{
    // Everything is computed from the row being updated, not from a separate read: when uses race,
    // PostgreSQL re-evaluates these expressions on the row the earlier use left, so none is lost.
    private const string RefillDue = "refill_amount IS NOT NULL AND (last_refilled_at IS NULL OR last_refilled_at < CASE refill_interval WHEN 'daily' THEN $3 ELSE $4 END)";

    private const string UseSql = $"""
        WITH used AS (
            UPDATE api_keys SET
                remaining = CASE WHEN {RefillDue} THEN refill_amount ELSE remaining END - 1,
                last_refilled_at = CASE WHEN {RefillDue} THEN $2 ELSE last_refilled_at END
            WHERE id = $1 AND (remaining IS NULL OR CASE WHEN {RefillDue} THEN refill_amount ELSE remaining END > 0)
            RETURNING id, user_id, remaining, name, prefix),
        exhausted AS (
            INSERT INTO audit_events (id, user_id, type, occurred_at, ip_address, user_agent, key_id, details)
            SELECT $5, user_id, '{EventTypes.KeyUsageExceeded}', $2, $6, $7, id, jsonb_build_object('name', name, 'prefix', prefix)
            FROM used WHERE remaining = 0)
        SELECT remaining FROM used
        """;

    /// <summary>
    /// Takes one use. Allowed with the uses left after it (null: the key has no quota any more), or
    /// not allowed when none was left.
    /// </summary>
    public async Task<(bool Allowed, int? Remaining)> TryUseAsync(Guid keyId, DateTimeOffset now, RequestOrigin origin, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(UseSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = RefillIntervals.PeriodStart(RefillIntervals.Daily, now) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = RefillIntervals.PeriodStart(RefillIntervals.Monthly, now) });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7(now) });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = origin.IpAddress, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = origin.UserAgent, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            null => (false, null),
            int remaining => (true, remaining),
            _ => (true, null),
        };
    }

    /// <summary>When a key out of uses gets more: the next refill, or never.</summary>
    public static DateTimeOffset? NextRefill(string? interval, DateTimeOffset now) => interval switch
    {
        RefillIntervals.Daily => RefillIntervals.PeriodStart(interval, now).AddDays(1),
        RefillIntervals.Monthly => RefillIntervals.PeriodStart(interval, now).AddMonths(1),
        _ => null,
    };
}
