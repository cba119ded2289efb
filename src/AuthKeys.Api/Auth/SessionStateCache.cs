using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Auth;

/// <summary>
/// Answers "is this session still valid?" for every JWT request from memory. Logout and
/// deactivation write a tombstone here after committing, so they take effect on the very next
/// request; the time-to-live bounds how long a change made behind the service's back goes unseen.
/// </summary>
public sealed class SessionStateCache(IServiceScopeFactory scopes)
{
    private static readonly Func<AppDbContext, Guid, CancellationToken, Task<bool>> IsActiveQuery =
        EF.CompileAsyncQuery((AppDbContext db, Guid sessionId, CancellationToken _) =>
            db.Sessions.Any(s => s.Id == sessionId && s.RevokedAt == null && s.User.IsActive));

    private static readonly SessionState Active = new(true);
    private static readonly SessionState Revoked = new(false);

    private readonly RevocableCache<Guid, SessionState> _cache = new(TimeSpan.FromSeconds(30), capacity: 200_000);

    /// <summary>A DbContext is rented only on a miss, in a scope of its own: the load is shared by every request waiting for the session.</summary>
    public async ValueTask<bool> IsActiveAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var state = await _cache.GetOrLoadAsync(sessionId, scopes,
            static async (id, scopes) => await scopes.QueryAsync(IsActiveQuery, id) ? Active : Revoked, cancellationToken);
        return state!.IsActive;
    }

    /// <summary>Call after the revocation is committed.</summary>
    public void MarkRevoked(IEnumerable<Guid> sessionIds) => _cache.Revoke(sessionIds, Revoked);

    private sealed record SessionState(bool IsActive);
}
