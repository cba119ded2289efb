using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Security;
using AuthKeys.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Auth;

/// <summary>
/// Per-account lockout after LOGIN_MAX_FAILURES failed logins, counted in PostgreSQL so that it
/// survives restarts and holds across nodes. A successful login resets the count.
/// </summary>
public sealed class LoginThrottle(AppDbContext db, IOptions<ThrottlingOptions> options, TimeProvider time)
{
    /// <summary>How long the account stays locked, or null when it is not.</summary>
    public TimeSpan? LockedFor(User user)
    {
        var now = time.GetUtcNow();
        return user.LockedUntil > now ? user.LockedUntil.Value - now : null;
    }

    /// <summary>One atomic UPDATE, so concurrent failures all count.</summary>
    public Task RecordFailureAsync(Guid userId, CancellationToken cancellationToken)
    {
        var max = options.Value.LoginMaxFailures;
        DateTimeOffset? lockedUntil = time.GetUtcNow() + options.Value.LoginLockout;
        return db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.LockedUntil, u => u.FailedLoginCount + 1 >= max ? lockedUntil : u.LockedUntil)
            .SetProperty(u => u.FailedLoginCount, u => u.FailedLoginCount + 1 >= max ? 0 : u.FailedLoginCount + 1), cancellationToken);
    }

    /// <summary>Resets the tracked user; saved with the login's session.</summary>
    public static void RecordSuccess(User user)
    {
        user.FailedLoginCount = 0;
        user.LockedUntil = null;
    }
}
