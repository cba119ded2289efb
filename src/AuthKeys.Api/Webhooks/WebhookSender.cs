using System.Diagnostics;
using System.Text;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Nodes;
using Microsoft.Extensions.Options;
using Npgsql;
using StandardWebhooks;

namespace AuthKeys.Api.Webhooks;

/// <summary>
/// Delivers the webhook outbox on every node, a batch posted in parallel. A delivery repeated
/// after a crash mid-post carries the same <c>webhook-id</c>, which Standard Webhooks receivers dedupe.
/// </summary>
public sealed partial class WebhookSender(
    NpgsqlDataSource dataSource,
    IHttpClientFactory clients,
    WebhookSecrets secrets,
    IOptions<WebhookOptions> options,
    AuthKeysMetrics metrics,
    TimeProvider time,
    ILogger<WebhookSender> logger) : OutboxSender(logger)
{
    public const string ClientName = "webhooks";

    /// <summary>7 attempts: at once, then after about 5 s, 30 s, 3 min, 18 min, 1.8 h and 10.8 h (±20%).</summary>
    public const int MaxAttempts = 7;

    private const string ClaimSql = """
        SELECT d.id, d.webhook_id, d.payload, w.url, w.sealed_secret, d.attempts
        FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= $1
        ORDER BY d.next_attempt_at
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED
        """;

    private const string RecordSql = """
        UPDATE webhook_deliveries
        SET attempts = attempts + 1, last_status_code = $2, last_attempt_at = $3, status = $4, next_attempt_at = $5
        WHERE id = $1
        """;

    private const string AttemptSql = """
        INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)
        """;

    /// <summary>The wait after the <paramref name="attempts"/>th failed attempt: 5 s × 6^(n−1), ±20%.</summary>
    public static TimeSpan Backoff(int attempts) => Backoff(attempts, TimeSpan.FromSeconds(5), 6);

    public override int BatchSize => 20;

    public override string Channel => "authkeys_outbox";

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override string What => "webhook deliveries";

    public override async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<Due>(BatchSize);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
            claim.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                due.Add(new Due(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), (byte[])reader[4], reader.GetInt32(5)));
        }
        if (due.Count == 0)
            return 0;

        var outcomes = await Task.WhenAll(due.Select(d => PostAsync(d, cancellationToken)));
        await using var batch = new NpgsqlBatch(connection, transaction);
        var recorded = new AuthKeysMetrics.WebhookOutcome[due.Count];
        for (var i = 0; i < due.Count; i++)
            recorded[i] = AddRecord(batch, due[i], outcomes[i]);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var outcome in recorded)
            metrics.WebhookAttempt(outcome);
        return due.Count;
    }

    private async Task<Outcome> PostAsync(Due due, CancellationToken stoppingToken)
    {
        // A span of its own (with the HTTP client's span inside) when traces are exported; the URL is left to the client instrumentation.
        using var activity = AuthKeysMetrics.ActivitySource.StartActivity("webhook deliver", ActivityKind.Internal);
        activity?.SetTag("authkeys.webhook.delivery_id", due.Id.ToString());
        activity?.SetTag("authkeys.webhook.attempt", due.AttemptsBefore + 1);
        var attemptedAt = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var secret = secrets.Open(due.WebhookId, due.SealedSecret);
        if (secret is null)
        {
            LogSecretUnreadable(logger, due.WebhookId);
            return new Outcome(attemptedAt, null, "The signing secret cannot be decrypted (the encryption key changed).", 0);
        }
        var id = due.Id.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, due.Url)
        {
            Content = new StringContent(due.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", attemptedAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(secret).Sign(id, attemptedAt, due.Payload));
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken);
            return new Outcome(attemptedAt, (int)response.StatusCode, null, (int)clock.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new Outcome(attemptedAt, null, "No answer within 10 s.", (int)clock.ElapsedMilliseconds);
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookTargetRefusedException)
        {
            return new Outcome(attemptedAt, null, "Refused: the target resolves to a non-public address.", (int)clock.ElapsedMilliseconds);
        }
        catch (HttpRequestException e)
        {
            // The error kind, not the message: messages can carry the URL, which may hold a token.
            return new Outcome(attemptedAt, null, $"Request failed: {e.HttpRequestError}.", (int)clock.ElapsedMilliseconds);
        }
    }

    private static AuthKeysMetrics.WebhookOutcome AddRecord(NpgsqlBatch batch, Due due, Outcome outcome)
    {
        var delivered = outcome.StatusCode is >= 200 and < 300;
        var (status, next) = delivered ? (DeliveryStatus.Delivered, (DateTimeOffset?)null)
            : due.AttemptsBefore + 1 >= MaxAttempts ? (DeliveryStatus.Failed, null)
            : (DeliveryStatus.Pending, outcome.AttemptedAt + Backoff(due.AttemptsBefore + 1));
        var record = new NpgsqlBatchCommand(RecordSql);
        record.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = due.Id });
        record.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.StatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        record.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = outcome.AttemptedAt });
        record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
        record.Parameters.Add(new NpgsqlParameter { Value = (object?)next ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        batch.BatchCommands.Add(record);
        var attempt = new NpgsqlBatchCommand(AttemptSql);
        attempt.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = due.Id });
        attempt.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = outcome.AttemptedAt });
        attempt.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.StatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        attempt.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        attempt.Parameters.Add(new NpgsqlParameter<int> { TypedValue = outcome.DurationMs });
        batch.BatchCommands.Add(attempt);
        return delivered ? AuthKeysMetrics.WebhookOutcome.Delivered
            : status == DeliveryStatus.Failed ? AuthKeysMetrics.WebhookOutcome.Failed
            : AuthKeysMetrics.WebhookOutcome.Retrying;
    }

    private sealed record Due(Guid Id, Guid WebhookId, string Payload, string Url, byte[] SealedSecret, int AttemptsBefore);

    private sealed record Outcome(DateTimeOffset AttemptedAt, int? StatusCode, string? Error, int DurationMs);

    [LoggerMessage(LogLevel.Warning, "The signing secret of webhook {WebhookId} cannot be decrypted: was WEBHOOK_SECRET_KEY or JWT_SECRET changed? Re-create the webhook.")]
    private static partial void LogSecretUnreadable(ILogger logger, Guid webhookId);
}
