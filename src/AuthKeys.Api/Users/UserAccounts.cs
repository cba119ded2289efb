using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Auth;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Users;

/// <summary>Account-wide changes that must reach every cached credential of the user at once.</summary>
public sealed class UserAccounts(AppDbContext db, SessionStateCache sessionStates, ApiKeyCache apiKeys, TimeProvider time)
{
    /// <summary>Refuses the user everywhere from the next request on: JWTs, refresh tokens and API keys.</summary>
    public async Task DeactivateAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        sessionStates.MarkRevoked(await db.Sessions.Where(s => s.UserId == userId).Select(s => s.Id).ToListAsync(cancellationToken));
        apiKeys.Evict(await db.ApiKeys.Where(k => k.UserId == userId).Select(k => k.KeyHash).ToListAsync(cancellationToken));
    }
}
