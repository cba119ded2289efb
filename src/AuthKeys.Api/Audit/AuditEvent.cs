namespace AuthKeys.Api.Audit;

/// <summary>One security event of a user's account, written in the transaction of the change it describes.</summary>
public sealed class AuditEvent
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>One of <see cref="EventTypes"/>.</summary>
    public required string Type { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    public Guid? KeyId { get; set; }

    public Guid? SessionId { get; set; }

    /// <summary>
    /// What a webhook receiver needs beyond the ids (a key's name and prefix, a lock's end), as a
    /// JSON object; merged into the delivery's <c>data</c> by the database (migration AuditAndWebhooks).
    /// </summary>
    public string? Details { get; set; }

    public const int TypeMaxLength = 40;
}
