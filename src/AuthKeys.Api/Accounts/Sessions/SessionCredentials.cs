using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>A refresh token that can still be exchanged, as introspection describes it.</summary>
public sealed record LiveRefreshToken(Guid SessionId, Guid UserId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Sessions as credentials presented by someone else than their holder: a resource server asking
/// whether a token is alive (introspection), anyone ending a session with one of its tokens
/// (revocation).
/// </summary>
public sealed class SessionCredentials(AppDbContext db, SessionStateCache states, AuditLog audit, IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>The token when it is the newest of an active session, unexpired; else null.</summary>
    public async Task<LiveRefreshToken?> FindLiveAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (refreshToken.Length > RefreshTokens.MaxLength)
            return null;
        var hash = RefreshTokens.Hash(refreshToken);
        var now = time.GetUtcNow();
        var oldest = now - options.Value.SessionMaxLifetime;
        return await db.RefreshTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.SpentAt == null && t.ExpiresAt > now
                && t.Session.RevokedAt == null && t.Session.User.IsActive && t.Session.CreatedAt > oldest)
            .Select(t => new LiveRefreshToken(t.SessionId, t.Session.UserId, t.CreatedAt, t.ExpiresAt))
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The session a refresh token (spent or not) belongs to.</summary>
    public Task<Guid?> SessionOfAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (refreshToken.Length > RefreshTokens.MaxLength)
            return Task.FromResult<Guid?>(null);
        var hash = RefreshTokens.Hash(refreshToken);
        return db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.SessionId).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Ends <paramref name="sessionId"/> if it is still open, recorded as the account's <c>session.revoked</c> by <paramref name="origin"/>.</summary>
    public async Task EndAsync(Guid sessionId, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var userId = await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null).Select(s => (Guid?)s.UserId).SingleOrDefaultAsync(cancellationToken);
        if (userId is null)
            return;
        var ended = await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        if (ended == 0)
            return;
        audit.Record(EventTypes.SessionRevoked, new Actor(userId.Value, null, origin), sessionId: sessionId, details: new { reason = "token_revoked" });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        states.MarkRevoked([sessionId]);
    }
}
