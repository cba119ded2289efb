using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Audit;

/// <summary>One event as the owner sees it.</summary>
/// <param name="Id">The event's id.</param>
/// <param name="Type">What happened, such as <c>auth.login.succeeded</c> or <c>key.created</c>.</param>
/// <param name="OccurredAt">When it happened (UTC).</param>
/// <param name="IpAddress">The client address of the request, when a request caused it.</param>
/// <param name="UserAgent">The request's User-Agent, when a request caused it.</param>
/// <param name="KeyId">The API key it concerns, if any.</param>
/// <param name="SessionId">The session it concerns or that made the change, if any.</param>
public sealed record AuditEventResponse(Guid Id, string Type, DateTimeOffset OccurredAt, string? IpAddress, string? UserAgent, Guid? KeyId, Guid? SessionId);

/// <summary>A page of events, newest first.</summary>
/// <param name="Items">At most <c>limit</c> events.</param>
/// <param name="Next">Pass as <c>before</c> for the next page; null on the last one.</param>
public sealed record AuditPage(List<AuditEventResponse> Items, string? Next);

/// <summary>Where a page ended: the last event's time and id, the order events are listed in.</summary>
public sealed record AuditCursor(DateTimeOffset OccurredAt, Guid Id)
{
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, OccurredAt.UtcTicks);
        Id.TryWriteBytes(bytes[8..]);
        return WebEncoders.Base64UrlEncode(bytes);
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out AuditCursor? cursor)
    {
        cursor = null;
        Span<byte> bytes = stackalloc byte[24];
        if (text.Length != 32 || !System.Buffers.Text.Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != 24)
            return false;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            return false;
        cursor = new AuditCursor(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes[8..]));
        return true;
    }
}

/// <summary>Keyset pages over one user's events: each page is one index range scan, however deep.</summary>
public sealed class AuditReader(AppDbContext db)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public async Task<AuditPage> PageAsync(Guid userId, int limit, AuditCursor? before, CancellationToken cancellationToken)
    {
        // Row comparison keeps the (user_id, occurred_at DESC, id DESC) index usable; one extra row tells whether there is a next page.
        var query = before is null
            ? db.AuditEvents.FromSql($"SELECT * FROM audit_events WHERE user_id = {userId} ORDER BY occurred_at DESC, id DESC LIMIT {limit + 1}")
            : db.AuditEvents.FromSql($"SELECT * FROM audit_events WHERE user_id = {userId} AND (occurred_at, id) < ({before.OccurredAt}, {before.Id}) ORDER BY occurred_at DESC, id DESC LIMIT {limit + 1}");
        var events = await query.AsNoTracking().ToListAsync(cancellationToken);
        var more = events.Count > limit;
        if (more)
            events.RemoveAt(limit);
        return new AuditPage(
            events.ConvertAll(e => new AuditEventResponse(e.Id, e.Type, e.OccurredAt, e.IpAddress, e.UserAgent, e.KeyId, e.SessionId)),
            more ? new AuditCursor(events[^1].OccurredAt, events[^1].Id).ToString() : null);
    }
}
