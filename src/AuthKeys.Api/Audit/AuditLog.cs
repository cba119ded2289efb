using System.Text.Json;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;

namespace AuthKeys.Api.Audit;

/// <summary>
/// Records security events in the caller's unit of work, so an event is saved with the change it
/// describes or rolled back with it. Webhook deliveries for it are queued by the database in the
/// same transaction (trigger on audit_events).
/// </summary>
public sealed class AuditLog(AppDbContext db, TimeProvider time)
{
    public void Record(string type, Actor actor, Guid? keyId = null, Guid? sessionId = null, object? details = null) =>
        db.AuditEvents.Add(new AuditEvent
        {
            Id = Guid.CreateVersion7(),
            UserId = actor.UserId,
            Type = type,
            OccurredAt = time.GetUtcNow(),
            IpAddress = actor.Origin.IpAddress,
            UserAgent = actor.Origin.UserAgent,
            KeyId = keyId,
            SessionId = sessionId ?? actor.SessionId,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        });

    /// <summary>A time in the form the API writes them, for details.</summary>
    public static string? Format(DateTimeOffset? value) => value is { } time ? UtcDateTimeOffsetConverter.Format(time) : null;
}
