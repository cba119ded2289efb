using System.Linq.Expressions;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>Opens, rotates and revokes sessions (refresh-token families).</summary>
public sealed partial class SessionService(
    AppDbContext db,
    AccessTokenIssuer accessTokens,
    SessionStateCache sessionStates,
    RefreshGraceCache graceCache,
    AuditLog audit,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<SessionService> logger)
{
    /// <summary>Adds a session for <paramref name="user"/> and its audit event to the unit of work; the caller saves.</summary>
    public TokenResponse Open(User user, RequestOrigin origin, string eventType, string authMethods = AuthenticationMethods.Password)
    {
        var now = time.GetUtcNow();
        var session = new Session
        {
            Id = Guid.CreateVersion7(), UserId = user.Id, CreatedAt = now, UserAgent = origin.UserAgent, IpAddress = origin.IpAddress, AuthMethods = authMethods,
        };
        db.Sessions.Add(session);
        audit.Record(eventType, new Actor(user.Id, session.Id, origin));
        return IssuePair(session, parentId: null, user.Email, user.EmailVerifiedAt is not null, now);
    }

    /// <summary>
    /// Spends <paramref name="refreshToken"/> and returns the next pair, or null when the token is
    /// unknown, expired or revoked. A spent token presented again revokes the session, except for a
    /// repeat of the newest token's parent inside the grace window (two tabs refreshing at once),
    /// which gets the pair already issued for it.
    /// </summary>
    public async Task<TokenResponse?> RefreshAsync(string refreshToken, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var hash = RefreshTokens.Hash(refreshToken);
        var sessionId = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.SessionId).SingleOrDefaultAsync(cancellationToken);
        if (sessionId is null)
            return null;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Serialise refreshes of one session, so rotation and reuse detection see each other's writes.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM sessions WHERE id = {sessionId} FOR UPDATE", cancellationToken);

        var token = await db.RefreshTokens
            .Include(t => t.Session).ThenInclude(s => s.User)
            .SingleAsync(t => t.TokenHash == hash, cancellationToken);
        var session = token.Session;
        var now = time.GetUtcNow();
        if (session.RevokedAt is not null || !session.User.IsActive || session.CreatedAt + options.Value.SessionMaxLifetime <= now)
            return null;

        if (token.SpentAt is null)
        {
            if (token.ExpiresAt <= now)
                return null;
            token.SpentAt = now;
            session.LastRefreshedAt = now;
            var pair = IssuePair(session, token.Id, session.User.Email, session.User.EmailVerifiedAt is not null, now);
            await db.SaveChangesAsync(cancellationToken);
            // Remembered before the commit: a duplicate waiting on the row lock reads the cache as
            // soon as the commit releases it, and must find the pair there.
            graceCache.Remember(token.Id, pair, options.Value.RefreshReuseGrace);
            try
            {
                await transaction.CommitAsync(cancellationToken);
            }
            catch
            {
                graceCache.Forget(token.Id);
                throw;
            }
            return pair;
        }

        var isParentOfNewest = await db.RefreshTokens.AnyAsync(t => t.ParentId == token.Id && t.SpentAt == null, cancellationToken);
        var grace = options.Value.RefreshReuseGrace;
        if (isParentOfNewest && grace > TimeSpan.Zero && now - token.SpentAt.Value <= grace)
        {
            // Inside the window a concurrent duplicate is not theft. Without the pair in memory
            // (another node answered first) the client gets a 401 but the session survives.
            return graceCache.Recall(token.Id);
        }

        LogReuse(logger, session.Id);
        session.RevokedAt = now;
        audit.Record(EventTypes.RefreshReuseDetected, new Actor(session.UserId, session.Id, origin));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked([session.Id]);
        return null;
    }

    /// <summary>Ends the actor's own session (logout).</summary>
    public async Task LogoutAsync(Actor actor, CancellationToken cancellationToken)
    {
        var sessionId = actor.SessionId!.Value;
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        audit.Record(EventTypes.Logout, actor);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked([sessionId]);
    }

    /// <summary>Ends every session of the actor's account (logout-all).</summary>
    public async Task LogoutAllAsync(Actor actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await RevokeAllAsync(actor.UserId, cancellationToken);
        audit.Record(EventTypes.LogoutAll, actor);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked(ended);
    }

    /// <summary>
    /// Ends every session of the user, or every one but <paramref name="except"/>, in the caller's
    /// transaction; the ids ended, for the caller to evict once it commits.
    /// </summary>
    public async Task<List<Guid>> RevokeAllAsync(Guid userId, CancellationToken cancellationToken, Guid? except = null)
    {
        var now = time.GetUtcNow();
        var sessionIds = await db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null && s.Id != except).Select(s => s.Id).ToListAsync(cancellationToken);
        await db.Sessions.Where(s => sessionIds.Contains(s.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        return sessionIds;
    }

    private TokenResponse IssuePair(Session session, Guid? parentId, string email, bool emailVerified, DateTimeOffset now)
    {
        var refreshToken = RefreshTokens.Generate();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            SessionId = session.Id,
            ParentId = parentId,
            TokenHash = RefreshTokens.Hash(refreshToken),
            CreatedAt = now,
            // No refresh token outlives its session's absolute end.
            ExpiresAt = Min(now + options.Value.RefreshTokenLifetime, session.CreatedAt + options.Value.SessionMaxLifetime),
        });
        return new TokenResponse(accessTokens.Issue(session.UserId, email, emailVerified, session.Id, session.AuthMethods, session.CreatedAt), refreshToken, "Bearer", accessTokens.LifetimeSeconds);
    }

    /// <summary>Sessions that can still be refreshed, newest first.</summary>
    public Task<List<SessionResponse>> ListActiveAsync(Guid userId, Guid currentSessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId).Where(IsActive(now))
            .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            .Select(s => new SessionResponse(s.Id, s.CreatedAt, s.LastRefreshedAt, s.UserAgent, s.IpAddress, s.Id == currentSessionId))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Ends one session of the actor's account; false when it is not an active session of theirs.</summary>
    public async Task<bool> RevokeOwnAsync(Actor actor, Guid sessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await db.Sessions
            .Where(s => s.Id == sessionId && s.UserId == actor.UserId).Where(IsActive(now))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        if (ended == 0)
            return false;
        audit.Record(EventTypes.SessionRevoked, actor, sessionId: sessionId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked([sessionId]);
        return true;
    }

    /// <summary>Active: not ended, and its newest refresh token can still be exchanged.</summary>
    private static Expression<Func<Session, bool>> IsActive(DateTimeOffset now) =>
        s => s.RevokedAt == null && s.RefreshTokens.Any(t => t.SpentAt == null && t.ExpiresAt > now);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(LogLevel.Warning, "Spent refresh token presented again; session {SessionId} revoked")]
    private static partial void LogReuse(ILogger logger, Guid sessionId);
}

/// <summary>
/// Holds each just-issued pair in memory for the grace window, keyed by the token it replaced,
/// so a duplicate refresh can be answered without ever storing a usable token at rest.
/// </summary>
public sealed class RefreshGraceCache(TimeProvider time) : IDisposable
{
    private readonly MemoryCache _pairs = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public void Remember(Guid spentTokenId, TokenResponse pair, TimeSpan window)
    {
        if (window > TimeSpan.Zero)
            _pairs.Set(spentTokenId, new Entry(pair, time.GetUtcNow() + window), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = window });
    }

    public void Forget(Guid spentTokenId) => _pairs.Remove(spentTokenId);

    public TokenResponse? Recall(Guid spentTokenId) =>
        _pairs.TryGetValue(spentTokenId, out Entry? entry) && entry!.Until >= time.GetUtcNow() ? entry.Pair : null;

    public void Dispose() => _pairs.Dispose();

    private sealed record Entry(TokenResponse Pair, DateTimeOffset Until);
}
