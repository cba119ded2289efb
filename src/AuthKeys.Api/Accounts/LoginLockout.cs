using System.Net;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Errors;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Accounts;

/// <summary>
/// A claimed attempt at an account's secret. Only a granted one may be verified; its outcome is
/// then reported with <see cref="LoginLockout.FailedAsync"/> or <see cref="LoginLockout.SucceededAsync"/>.
/// </summary>
public sealed record LoginAttempt(Guid UserId, string Address, int AddressClaim, int AccountClaim, TimeSpan? RetryAfter)
{
    public bool Granted => RetryAfter is null;
}

/// <summary>
/// Lockout per (account, client address) after LOGIN_MAX_FAILURES, and per account after
/// LOGIN_ACCOUNT_MAX_FAILURES an hour from all addresses. An attempt is claimed in PostgreSQL
/// before its secret is verified, in one statement, so that however many guesses arrive at once
/// on however many nodes, no more than the limits are verified: a claim beyond them locks
/// instead. A stranger can therefore lock out only their own address, until the account-wide cap,
/// which bounds a guesser spread over many addresses.
/// </summary>
public sealed class LoginLockout(AppDbContext db, AuditLog audit, IOptions<LockoutOptions> options, TimeProvider time)
{
    private sealed record ClaimRow(string State, DateTimeOffset? AccountLockedUntil, int? AddressClaim, DateTimeOffset? AddressLockedUntil, int? AccountClaim);

    /// <summary>
    /// Claims one attempt, in one statement holding the account's row: the account's state first
    /// (locked, a fresh window, room for one more, or full), then this address's count only if the
    /// account has room, then the account's count only if the address granted the claim, so that
    /// refused attempts from a locked-out address never spend the account's allowance. A lock
    /// that has run out starts a fresh count; a claim finding every allowed attempt already
    /// claimed sets the lock itself, so a node that died mid-verification cannot leave a count
    /// that refuses without ever ending. Null when the account is gone.
    /// </summary>
    public async Task<LoginAttempt?> ClaimAsync(Guid userId, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var until = now + settings.LoginLockout;
        var windowStart = now - LockoutOptions.AccountWindow;
        var address = AddressOf(origin);
        return await RetriedOnDeadlockAsync(() => TryClaimAsync(userId, address, now, until, windowStart, settings, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// PostgreSQL can abort a claim or a success's clearing, when logins of one account race, as
    /// a deadlock: a claim's foreign-key check runs at the end of its statement, after it updated
    /// the account's row, and must wait for the row's lock queue, where a statement waiting on
    /// this one may already stand. Each is one statement, so nothing of an aborted one is kept:
    /// it is made again, after a pause of a few random milliseconds so that the two do not meet again.
    /// </summary>
    private static async Task<T> RetriedOnDeadlockAsync<T>(Func<Task<T>> statement, CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await statement();
            }
            catch (Exception e) when (tries < 5 && DatabaseErrors.IsDeadlock(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * tries)), cancellationToken);
            }
        }
    }

    private async Task<LoginAttempt?> TryClaimAsync(Guid userId, string address, DateTimeOffset now, DateTimeOffset until, DateTimeOffset windowStart,
        LockoutOptions settings, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<ClaimRow>($"""
            WITH held AS (
                SELECT id, failed_login_count, locked_until,
                    CASE WHEN locked_until > {now} THEN 'locked'
                         WHEN locked_until IS NOT NULL OR failures_since IS NULL OR failures_since <= {windowStart} THEN 'fresh'
                         WHEN failed_login_count < {settings.AccountMaxFailures} THEN 'next'
                         ELSE 'full' END AS state
                FROM users WHERE id = {userId} FOR NO KEY UPDATE
            ), address AS (
                INSERT INTO login_failures AS f (user_id, address, failed_count, locked_until, last_attempt_at)
                SELECT id, {address}, 1, NULL, {now} FROM held WHERE state IN ('fresh', 'next')
                ON CONFLICT (user_id, address) DO UPDATE SET
                    failed_count = CASE
                        WHEN f.locked_until > {now} THEN f.failed_count
                        WHEN f.locked_until IS NOT NULL THEN 1
                        WHEN f.failed_count < {settings.LoginMaxFailures} THEN f.failed_count + 1
                        ELSE f.failed_count END,
                    locked_until = CASE
                        WHEN f.locked_until > {now} THEN f.locked_until
                        WHEN f.locked_until IS NULL AND f.failed_count >= {settings.LoginMaxFailures} THEN {until}
                        END,
                    last_attempt_at = {now}
                RETURNING failed_count, locked_until
            ), account AS (
                UPDATE users SET
                    failed_login_count = CASE held.state WHEN 'fresh' THEN 1 ELSE held.failed_login_count + 1 END,
                    failures_since = CASE held.state WHEN 'fresh' THEN {now} ELSE users.failures_since END,
                    locked_until = CASE held.state WHEN 'full' THEN {until} END
                FROM held
                WHERE users.id = held.id
                  AND (held.state = 'full' OR (held.state <> 'locked' AND EXISTS (SELECT 1 FROM address WHERE address.locked_until IS NULL)))
                RETURNING users.failed_login_count
            )
            SELECT held.state, held.locked_until AS account_locked_until,
                   address.failed_count AS address_claim, address.locked_until AS address_locked_until,
                   account.failed_login_count AS account_claim
            FROM held LEFT JOIN address ON true LEFT JOIN account ON true
            """).ToListAsync(cancellationToken);
        if (rows is not [var row])
            return null;
        TimeSpan? wait = row.State switch
        {
            "locked" => row.AccountLockedUntil!.Value - now,
            "full" => settings.LoginLockout,
            _ when row.AddressLockedUntil is { } lockedUntil => lockedUntil - now,
            _ => null,
        };
        return new LoginAttempt(userId, address, row.AddressClaim ?? 0, row.AccountClaim ?? 0, wait);
    }

    /// <summary>
    /// A granted attempt was wrong: audited as <paramref name="eventType"/> (a password's
    /// auth.login.failed, a code's auth.login.mfa_failed), and as auth.login.locked when it was
    /// the last one allowed, which locks (in the same transaction).
    /// </summary>
    public async Task FailedAsync(LoginAttempt attempt, RequestOrigin origin, CancellationToken cancellationToken, string eventType = EventTypes.LoginFailed)
    {
        var settings = options.Value;
        var until = time.GetUtcNow() + settings.LoginLockout;
        var actor = new Actor(attempt.UserId, null, origin);
        var locksAccount = attempt.AccountClaim >= settings.AccountMaxFailures;
        var locksAddress = attempt.AddressClaim >= settings.LoginMaxFailures;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The account's row first, as a claim takes it; then the audit rows, whose foreign key
        // locks that row again; updates last. A transaction that updates a row and then locks it
        // again can deadlock with a claim waiting for the row in between.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {attempt.UserId} FOR NO KEY UPDATE", cancellationToken);
        audit.Record(eventType, actor);
        if (locksAccount)
            audit.Record(EventTypes.LoginLocked, actor, details: new { lockedUntil = AuditLog.Format(until), scope = "account" });
        if (locksAddress)
            audit.Record(EventTypes.LoginLocked, actor, details: new { lockedUntil = AuditLog.Format(until), scope = "address" });
        await db.SaveChangesAsync(cancellationToken);
        if (locksAccount)
            await db.Users.Where(u => u.Id == attempt.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.LockedUntil, until), cancellationToken);
        if (locksAddress)
            await db.LoginFailures.Where(f => f.UserId == attempt.UserId && f.Address == attempt.Address)
                .ExecuteUpdateAsync(f => f.SetProperty(x => x.LockedUntil, until), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// A granted attempt was right: this address starts afresh, and the attempt no longer counts
    /// against the account (its other failures of the hour still do).
    /// </summary>
    /// <remarks>
    /// One statement, so one round trip and no transaction to open. The address's row is deleted
    /// only from the account's updated row, so the account's row is locked first, in the order a
    /// claim takes them: the other order could deadlock with a claim from the same address.
    /// </remarks>
    public async Task SucceededAsync(LoginAttempt attempt, CancellationToken cancellationToken) =>
        await RetriedOnDeadlockAsync(() => db.Database.ExecuteSqlAsync($"""
            WITH account AS (
                UPDATE users SET failed_login_count = GREATEST(failed_login_count - 1, 0), locked_until = NULL
                WHERE id = {attempt.UserId} RETURNING id)
            DELETE FROM login_failures WHERE user_id IN (SELECT id FROM account) AND address = {attempt.Address}
            """, cancellationToken), cancellationToken);

    /// <summary>
    /// A granted attempt proved only part of what the account asks (a right password where a code
    /// must follow): the attempt stops counting, but the failures before it stay, so that knowing
    /// the password does not restart the count of guesses at the code.
    /// </summary>
    public async Task ReleasedAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE users SET failed_login_count = GREATEST(failed_login_count - 1, 0) WHERE id = {attempt.UserId} AND locked_until IS NULL",
            cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE login_failures SET failed_count = GREATEST(failed_count - 1, 0) WHERE user_id = {attempt.UserId} AND address = {attempt.Address} AND locked_until IS NULL",
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs the verification of a claimed attempt; when it is refused before it ran (the hashing
    /// queue is full), the claim is taken back, so that a busy service does not spend the owner's allowance.
    /// </summary>
    public async Task<bool> VerifyAsync(LoginAttempt? attempt, Func<Task<bool>> verify)
    {
        try
        {
            return await verify();
        }
        catch (ServiceBusyException) when (attempt is not null)
        {
            await ReleasedAsync(attempt, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Lifts every lock of the account and forgets its failures (a password reset proved the owner).</summary>
    public async Task ClearAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u
            .SetProperty(x => x.FailedLoginCount, 0)
            .SetProperty(x => x.FailuresSince, (DateTimeOffset?)null)
            .SetProperty(x => x.LockedUntil, (DateTimeOffset?)null), cancellationToken);
        await db.LoginFailures.Where(f => f.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The client as every per-address limit counts it; one "unknown" client when the address is not known.</summary>
    private static string AddressOf(RequestOrigin origin) =>
        origin.IpAddress is { } text && IPAddress.TryParse(text, out var address) ? ClientAddress.Group(address).ToString() : "unknown";
}
