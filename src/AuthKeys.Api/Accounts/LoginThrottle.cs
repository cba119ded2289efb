using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Accounts;

/// <summary>
/// Per-account lockout after LOGIN_MAX_FAILURES failed logins, counted in PostgreSQL so that it
/// survives restarts and holds across nodes. A successful login resets the count.
/// </summary>
public sealed class LoginThrottle(AppDbContext db, AuditLog audit, IOptions<LockoutOptions> options, TimeProvider time)
{
    /// <summary>How long the account stays locked, or null when it is not.</summary>
    public TimeSpan? LockedFor(User user)
    {
        var now = time.GetUtcNow();
        return user.LockedUntil > now ? user.LockedUntil.Value - now : null;
    }

    /// <summary>
    /// One atomic UPDATE, so concurrent failures all count; audited as auth.login.failed, and as
    /// auth.login.locked by the failure that locks the account, in the same transaction.
    /// </summary>
    public async Task RecordFailureAsync(Guid userId, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var max = options.Value.LoginMaxFailures;
        var lockedUntil = time.GetUtcNow() + options.Value.LoginLockout;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The count restarts at 0 exactly when this failure locks the account.
        var locked = await db.Database.SqlQuery<bool>($"""
            UPDATE users SET
                locked_until = CASE WHEN failed_login_count + 1 >= {max} THEN {lockedUntil} ELSE locked_until END,
                failed_login_count = CASE WHEN failed_login_count + 1 >= {max} THEN 0 ELSE failed_login_count + 1 END
            WHERE id = {userId}
            RETURNING failed_login_count = 0 AS "Value"
            """).ToListAsync(cancellationToken);
        var actor = new Actor(userId, null, origin);
        audit.Record(EventTypes.LoginFailed, actor);
        if (locked is [true])
            audit.Record(EventTypes.LoginLocked, actor, details: new { lockedUntil = AuditLog.Format(lockedUntil) });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Resets the tracked user; saved with the login's session.</summary>
    public static void RecordSuccess(User user)
    {
        user.FailedLoginCount = 0;
        user.LockedUntil = null;
    }
}
