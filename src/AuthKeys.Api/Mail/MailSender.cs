using System.Text.Json;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Nodes;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace AuthKeys.Api.Mail;

/// <summary>
/// Sends the mail outbox over SMTP on every node (MailKit), a batch per connection. A message that
/// fails is tried again with backoff for hours, then marked failed; sent or failed, its body is
/// erased. Without SMTP_URL nothing is claimed: messages wait until a node has a server to use.
/// </summary>
public sealed partial class MailSender(
    NpgsqlDataSource dataSource,
    SecretSealer sealer,
    IOptions<MailOptions> options,
    TimeProvider time,
    ILogger<MailSender> logger) : OutboxSender(logger)
{
    /// <summary>8 attempts: at once, then after about 10 s, 30 s, 90 s, 4.5 min, 13.5 min, 40 min and 2 h (±20%).</summary>
    public const int MaxAttempts = 8;

    private const string ClaimSql = """
        SELECT id, recipient, subject, sealed_body, attempts
        FROM mail_messages
        WHERE status = 'pending' AND next_attempt_at <= $1
        ORDER BY next_attempt_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
        """;

    private const string RecordSql = """
        UPDATE mail_messages
        SET attempts = attempts + 1, status = $2, next_attempt_at = $3, sent_at = $4, last_error = $5,
            sealed_body = CASE WHEN $2 = 'pending' THEN sealed_body END
        WHERE id = $1
        """;

    private readonly SecretSealer.Purpose _bodies = sealer.For(MailOutbox.Purpose);

    public override int BatchSize => 20;

    public override string Channel => "authkeys_mail";

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override string What => "mail";

    public static TimeSpan Backoff(int attempts) => Backoff(attempts, TimeSpan.FromSeconds(10), 3);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
            LogNotConfigured(logger);
        await base.StartAsync(cancellationToken);
    }

    public override async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Smtp is not { } server)
            return 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<Due>(BatchSize);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
            claim.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                due.Add(new Due(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : (byte[])reader[3], reader.GetInt32(4)));
        }
        if (due.Count == 0)
            return 0;

        var errors = await SendAsync(server, due, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var now = time.GetUtcNow();
        for (var i = 0; i < due.Count; i++)
            batch.BatchCommands.Add(Record(due[i], errors[i], now));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    /// <summary>One connection for the batch; per message, null when sent, else why not.</summary>
    private async Task<string?[]> SendAsync(SmtpServerAddress server, List<Due> due, CancellationToken cancellationToken)
    {
        var errors = new string?[due.Count];
        using var client = new SmtpClient { Timeout = 10_000 };
        try
        {
            await client.ConnectAsync(server.Host, server.Port,
                server.ImplicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable, cancellationToken);
            if (server.User is not null)
                await client.AuthenticateAsync(server.User, server.Password ?? "", cancellationToken);
        }
        catch (Exception e) when (e is IOException or SmtpCommandException or SmtpProtocolException or AuthenticationException
            or System.Net.Sockets.SocketException or TimeoutException or SslHandshakeException)
        {
            LogServerUnavailable(logger, server.ToString(), e.GetType().Name);
            Array.Fill(errors, $"The SMTP server did not accept the connection ({e.GetType().Name}).");
            return errors;
        }
        for (var i = 0; i < due.Count; i++)
        {
            var body = due[i].SealedBody is { } sealedBody ? _bodies.Open(due[i].Id, sealedBody) : null;
            if (body is null || JsonSerializer.Deserialize<MailBody>(body) is not { } parts)
            {
                errors[i] = "The body cannot be read (the encryption key changed).";
                continue;
            }
            try
            {
                await client.SendAsync(Message(due[i], parts), cancellationToken);
            }
            catch (SmtpCommandException e)
            {
                errors[i] = $"The SMTP server refused it: {(int)e.StatusCode} {e.ErrorCode}.";
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException)
            {
                errors[i] = $"The connection failed ({e.GetType().Name}).";
                if (!client.IsConnected)
                {
                    for (var rest = i + 1; rest < due.Count; rest++)
                        errors[rest] = errors[i];
                    break;
                }
            }
        }
        if (client.IsConnected)
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        return errors;
    }

    private MimeMessage Message(Due due, MailBody parts)
    {
        var from = MailboxAddress.Parse(options.Value.From);
        var message = new MimeMessage { Subject = due.Subject };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(due.Recipient));
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(from.Domain);
        // The same id on every attempt, so that a receiver can tell a repeat after a crash.
        message.Headers.Add("X-AuthKeys-Message-Id", due.Id.ToString());
        message.Body = new BodyBuilder { TextBody = parts.Text, HtmlBody = parts.Html }.ToMessageBody();
        return message;
    }

    private static NpgsqlBatchCommand Record(Due due, string? error, DateTimeOffset now)
    {
        var (status, next) = error is null ? (MailStatus.Sent, now)
            : due.AttemptsBefore + 1 >= MaxAttempts ? (MailStatus.Failed, now)
            : (MailStatus.Pending, now + Backoff(due.AttemptsBefore + 1));
        var record = new NpgsqlBatchCommand(RecordSql);
        record.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = due.Id });
        record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
        record.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = next });
        record.Parameters.Add(new NpgsqlParameter { Value = error is null ? now : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        record.Parameters.Add(new NpgsqlParameter { Value = (object?)error?[..Math.Min(error.Length, MailMessage.ErrorMaxLength)] ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        return record;
    }

    private sealed record Due(Guid Id, string Recipient, string Subject, byte[]? SealedBody, int AttemptsBefore);

    [LoggerMessage(LogLevel.Warning, "SMTP_URL is not set: mail (verification and reset links, security notices) waits in the outbox until a node has a server to send it through")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "The SMTP server {Server} is unavailable ({Error}); mail is retried")]
    private static partial void LogServerUnavailable(ILogger logger, string server, string error);
}
