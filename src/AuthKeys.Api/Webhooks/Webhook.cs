namespace AuthKeys.Api.Webhooks;

/// <summary>A user's endpoint for the events it subscribes to.</summary>
public sealed class Webhook
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Url { get; set; }

    public List<string> Events { get; set; } = [];

    /// <summary>The signing secret, encrypted (<see cref="WebhookSecrets"/>): it must sign, so it cannot be hashed.</summary>
    public required byte[] SealedSecret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public const int UrlMaxLength = 2048;
    public const int MaxPerUser = 10;
}

/// <summary>One event for one webhook, from the outbox to delivered or failed.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }

    public Guid WebhookId { get; set; }

    public Guid EventId { get; set; }

    public required string EventType { get; set; }

    /// <summary>The exact body posted: signed as is, the same on every attempt.</summary>
    public required string Payload { get; set; }

    public string Status { get; set; } = DeliveryStatus.Pending;

    public int Attempts { get; set; }

    public int? LastStatusCode { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>When a pending delivery is due; null once delivered or failed.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One try of a delivery: when, and what came back (a status code, or why there was none).</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }

    public Guid DeliveryId { get; set; }

    public DateTimeOffset AttemptedAt { get; set; }

    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    public int DurationMs { get; set; }

    public const int ErrorMaxLength = 200;
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}
