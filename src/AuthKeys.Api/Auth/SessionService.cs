using System.Linq.Expressions;
using System.Net;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Security;
using AuthKeys.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Auth;

/// <summary>Opens, rotates and revokes sessions (refresh-token families).</summary>
public sealed partial class SessionService(
    AppDbContext db,
    AccessTokenIssuer accessTokens,
    SessionStateCache sessionStates,
    RefreshGraceCache graceCache,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<SessionService> logger)
{
    /// <summary>Adds a session for <paramref name="user"/> to the unit of work; the caller saves.</summary>
    public TokenResponse Open(User user, SessionOrigin origin)
    {
        var now = time.GetUtcNow();
        var session = new Session { Id = Guid.CreateVersion7(), UserId = user.Id, CreatedAt = now, UserAgent = origin.UserAgent, IpAddress = origin.IpAddress };
        db.Sessions.Add(session);
        return IssuePair(session.Id, parentId: null, user.Id, user.Email, now);
    }

    /// <summary>
    /// Spends <paramref name="refreshToken"/> and returns the next pair, or null when the token is
    /// unknown, expired or revoked. A spent token presented again revokes the session, except for a
    /// repeat of the newest token's parent inside the grace window (two tabs refreshing at once),
    /// which gets the pair already issued for it.
    /// </summary>
    public async Task<TokenResponse?> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
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
        if (session.RevokedAt is not null || !session.User.IsActive)
            return null;

        if (token.SpentAt is null)
        {
            if (token.ExpiresAt <= now)
                return null;
            token.SpentAt = now;
            session.LastRefreshedAt = now;
            var pair = IssuePair(session.Id, token.Id, session.UserId, session.User.Email, now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            graceCache.Remember(token.Id, pair, options.Value.RefreshReuseGrace);
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
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked([session.Id]);
        return null;
    }

    public async Task RevokeAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        sessionStates.MarkRevoked([sessionId]);
    }

    /// <summary>Ends every session of the user, or every one but <paramref name="except"/>.</summary>
    public async Task RevokeAllAsync(Guid userId, CancellationToken cancellationToken, Guid? except = null)
    {
        var now = time.GetUtcNow();
        var sessionIds = await db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null && s.Id != except).Select(s => s.Id).ToListAsync(cancellationToken);
        await db.Sessions.Where(s => sessionIds.Contains(s.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        sessionStates.MarkRevoked(sessionIds);
    }

    private TokenResponse IssuePair(Guid sessionId, Guid? parentId, Guid userId, string email, DateTimeOffset now)
    {
        var refreshToken = RefreshTokens.Generate();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            SessionId = sessionId,
            ParentId = parentId,
            TokenHash = RefreshTokens.Hash(refreshToken),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
        return new TokenResponse(accessTokens.Issue(userId, email, sessionId), refreshToken, "Bearer", accessTokens.LifetimeSeconds);
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

    /// <summary>Ends one session of the user; false when it is not an active session of theirs.</summary>
    public async Task<bool> RevokeOwnAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ended = await db.Sessions
            .Where(s => s.Id == sessionId && s.UserId == userId).Where(IsActive(now))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        if (ended > 0)
            sessionStates.MarkRevoked([sessionId]);
        return ended > 0;
    }

    /// <summary>Active: not ended, and its newest refresh token can still be exchanged.</summary>
    private static Expression<Func<Session, bool>> IsActive(DateTimeOffset now) =>
        s => s.RevokedAt == null && s.RefreshTokens.Any(t => t.SpentAt == null && t.ExpiresAt > now);

    [LoggerMessage(LogLevel.Warning, "Spent refresh token presented again; session {SessionId} revoked")]
    private static partial void LogReuse(ILogger logger, Guid sessionId);
}

/// <summary>Where a session was opened from, as shown in the caller's session list.</summary>
public sealed record SessionOrigin(string? UserAgent, string? IpAddress)
{
    public static SessionOrigin Of(HttpContext context)
    {
        var address = ClientAddress.Of(context);
        return new SessionOrigin(
            Cut(context.Request.Headers.UserAgent.ToString()),
            address.Equals(IPAddress.None) ? null : Cut(address.ToString()));
    }

    private static string? Cut(string value) =>
        value.Length == 0 ? null
        : value.Length <= Session.DetailMaxLength ? value
        : value[..(char.IsHighSurrogate(value[Session.DetailMaxLength - 1]) ? Session.DetailMaxLength - 1 : Session.DetailMaxLength)];
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

    public TokenResponse? Recall(Guid spentTokenId) =>
        _pairs.TryGetValue(spentTokenId, out Entry? entry) && entry!.Until >= time.GetUtcNow() ? entry.Pair : null;

    public void Dispose() => _pairs.Dispose();

    private sealed record Entry(TokenResponse Pair, DateTimeOffset Until);
}
