namespace AuthKeys.Api.Mail;

/// <summary>A message in the outbox: written with the change that causes it, sent by any node.</summary>
public sealed class MailMessage
{
    public const int RecipientMaxLength = 254;
    public const int SubjectMaxLength = 200;
    public const int ErrorMaxLength = 500;

    public Guid Id { get; set; }

    /// <summary>The account it concerns, if any: erasing the account erases its mail.</summary>
    public Guid? UserId { get; set; }

    public required string Recipient { get; set; }

    public required string Subject { get; set; }

    /// <summary>The text and HTML parts, sealed (they may hold a link with a token); null once sent or failed.</summary>
    public byte[]? SealedBody { get; set; }

    public string Status { get; set; } = MailStatus.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Why the last attempt failed: the SMTP status or the error kind, never the body.</summary>
    public string? LastError { get; set; }
}

public static class MailStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}
