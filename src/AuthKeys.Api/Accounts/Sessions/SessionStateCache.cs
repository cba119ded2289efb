using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Nodes;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>
/// Answers "is this session still valid?" for every JWT request from memory. Logout and
/// deactivation write a tombstone here after committing, so they take effect on the very next
/// request on this node; other nodes, and changes made directly in SQL, arrive as notices.
/// </summary>
public sealed class SessionStateCache(IServiceScopeFactory scopes, CacheTrust trust, AuthKeysMetrics metrics) : IRevocationSubscriber
{
    private static readonly Func<AppDbContext, Guid, CancellationToken, Task<bool>> IsActiveQuery =
        EF.CompileAsyncQuery((AppDbContext db, Guid sessionId, CancellationToken _) =>
            db.Sessions.Any(s => s.Id == sessionId && s.RevokedAt == null && s.User.IsActive));

    private static readonly SessionState Active = new(true);
    private static readonly SessionState Revoked = new(false);

    // Notices, not the time-to-live, bound how long a change goes unseen.
    private readonly RevocableCache<Guid, SessionState> _cache = new(TimeSpan.FromMinutes(5), capacity: 200_000, trust: trust,
        onLookup: hit => metrics.CacheLookup(AuthKeysMetrics.CacheName.Sessions, hit));

    /// <summary>A DbContext is rented only on a miss, in a scope of its own: the load is shared by every request waiting for the session.</summary>
    public async ValueTask<bool> IsActiveAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var state = await _cache.GetOrLoadAsync(sessionId, scopes,
            static async (id, scopes) => await scopes.QueryAsync(IsActiveQuery, id) ? Active : Revoked, cancellationToken);
        return state!.IsActive;
    }

    /// <summary>Call after the revocation is committed.</summary>
    public void MarkRevoked(IEnumerable<Guid> sessionIds) => _cache.Revoke(sessionIds, Revoked);

    /// <summary>Evicts rather than marks: the notice says the session changed, the database says how.</summary>
    void IRevocationSubscriber.OnRevoked(RevocationNotice notice)
    {
        if (notice.Scope == RevocationScope.Session)
            _cache.Revoke([notice.SessionId]);
    }

    void IRevocationSubscriber.Clear() => _cache.Clear();

    private sealed record SessionState(bool IsActive);
}
