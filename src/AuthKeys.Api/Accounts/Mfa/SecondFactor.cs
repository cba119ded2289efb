using AuthKeys.Api.Accounts.Email;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>
/// The TOTP factor of an account and its recovery codes: turning it on and off, and checking a
/// code wherever the account asks for one. Every code checked is an attempt the lockout counts.
/// </summary>
public sealed class SecondFactor(
    AppDbContext db,
    SecretSealer sealer,
    LoginLockout lockout,
    SessionService sessions,
    SessionStateCache sessionStates,
    AuditLog audit,
    AccountMail mail,
    TimeProvider time)
{
    internal const string SealPurpose = "totp-secret";

    /// <summary>A new secret, pending until a code of it is confirmed; it replaces an older pending one.</summary>
    public async Task<TotpEnrollment> EnrollAsync(User user, CancellationToken cancellationToken)
    {
        var secret = TotpCodes.NewSecret();
        user.PendingTotpSecret = sealer.For(SealPurpose).Seal(user.Id, secret);
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return new TotpEnrollment(secret, TotpCodes.UriFor(user.Email, secret));
    }

    /// <summary>
    /// Turns the factor on with the pending secret when <paramref name="code"/> is one of its codes,
    /// ends every other session, and returns the recovery codes; null when nothing is pending or
    /// the code is wrong.
    /// </summary>
    public async Task<List<string>?> ConfirmAsync(User user, Actor actor, string code, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (user.PendingTotpSecret is not { } pending || sealer.For(SealPurpose).Open(user.Id, pending) is not { } secret
            || TotpCodes.Match(secret, code.Trim(), now) is not { } step)
            return null;
        user.TotpSecret = pending;
        user.PendingTotpSecret = null;
        user.TotpLastStep = step; // the confirming code cannot log in again
        user.MfaEnabledAt = now;
        user.UpdatedAt = now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var codes = await ReplaceRecoveryCodesAsync(user.Id, now, cancellationToken);
        audit.Record(EventTypes.MfaEnabled, actor);
        mail.SecondFactorEnabled(user.Id, user.Email, actor.Origin);
        await db.SaveChangesAsync(cancellationToken);
        var ended = await sessions.RevokeAllAsync(user.Id, cancellationToken, except: actor.SessionId);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked(ended);
        return codes;
    }

    public async Task<List<string>> RegenerateRecoveryCodesAsync(User user, Actor actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var codes = await ReplaceRecoveryCodesAsync(user.Id, time.GetUtcNow(), cancellationToken);
        audit.Record(EventTypes.RecoveryCodesRegenerated, actor);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return codes;
    }

    public async Task DisableAsync(User user, Actor actor, CancellationToken cancellationToken)
    {
        user.MfaEnabledAt = null;
        user.TotpSecret = null;
        user.PendingTotpSecret = null;
        user.TotpLastStep = null;
        user.UpdatedAt = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        audit.Record(EventTypes.MfaDisabled, actor);
        mail.SecondFactorDisabled(user.Id, user.Email, actor.Origin);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Right when the account has no second factor; else <paramref name="code"/> must be a TOTP
    /// code newer than the last one accepted, or an unused recovery code. Claimed from the lockout
    /// first, like a password; a wrong code is audited as auth.login.mfa_failed. Call it outside a
    /// transaction: a recovery code is spent, and a failure counted, whatever the caller does next.
    /// </summary>
    public async Task<SecretCheck> CheckAsync(User user, string? code, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (user.MfaEnabledAt is null)
            return SecretCheck.Correct;
        if (string.IsNullOrWhiteSpace(code))
            return SecretCheck.CodeRequired;
        if (await lockout.ClaimAsync(user.Id, origin, cancellationToken) is not { } attempt)
            return SecretCheck.WrongCode; // the account is gone
        if (attempt.RetryAfter is { } wait)
            return SecretCheck.LockedFor(wait);
        if (await AcceptTotpAsync(user, code.Trim(), cancellationToken) || await SpendRecoveryCodeAsync(user, code, origin, cancellationToken))
        {
            await lockout.SucceededAsync(attempt, cancellationToken);
            return SecretCheck.Correct;
        }
        await lockout.FailedAsync(attempt, origin, cancellationToken, EventTypes.MfaFailed);
        return SecretCheck.WrongCode;
    }

    public Task<int> RecoveryCodesRemainingAsync(Guid userId, CancellationToken cancellationToken) =>
        db.RecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAt == null, cancellationToken);

    /// <summary>
    /// Accepts a code only if its step is later than the last accepted one, in one conditional
    /// UPDATE: of the same code sent to any number of nodes at once, exactly one is accepted.
    /// </summary>
    private async Task<bool> AcceptTotpAsync(User user, string code, CancellationToken cancellationToken)
    {
        if (user.TotpSecret is not { } sealedSecret || sealer.For(SealPurpose).Open(user.Id, sealedSecret) is not { } secret
            || TotpCodes.Match(secret, code, time.GetUtcNow()) is not { } step)
            return false;
        return await db.Users
            .Where(u => u.Id == user.Id && u.MfaEnabledAt != null && (u.TotpLastStep == null || u.TotpLastStep < step))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.TotpLastStep, step), cancellationToken) == 1;
    }

    private async Task<bool> SpendRecoveryCodeAsync(User user, string code, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (RecoveryCodes.Normalize(code) is not { } normalized)
            return false;
        var unused = await db.RecoveryCodes.AsNoTracking().Where(c => c.UserId == user.Id && c.UsedAt == null).ToListAsync(cancellationToken);
        if (unused.FirstOrDefault(c => RecoveryCodes.Matches(normalized, c.CodeHash)) is not { } match)
            return false;
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Conditional, so two concurrent uses of one code spend it once.
        if (await db.RecoveryCodes.Where(c => c.Id == match.Id && c.UsedAt == null)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.UsedAt, now), cancellationToken) != 1)
            return false;
        var remaining = unused.Count - 1;
        audit.Record(EventTypes.RecoveryCodeUsed, new Actor(user.Id, null, origin), details: new { remaining });
        mail.RecoveryCodeUsed(user.Id, user.Email, remaining, origin);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<List<string>> ReplaceRecoveryCodesAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var codes = RecoveryCodes.Generate();
        db.RecoveryCodes.AddRange(codes.Select(code => new RecoveryCode { Id = Guid.CreateVersion7(), UserId = userId, CodeHash = RecoveryCodes.Hash(code), CreatedAt = now }));
        return codes;
    }
}

/// <summary>TOTP secrets sealed under ENCRYPTION_KEY_PREVIOUS, moved under the current key: the confirmed ones...</summary>
internal sealed class SealedTotpSecrets(AppDbContext db, SecretSealer sealer)
    : SealedColumn(db, sealer.For(SecondFactor.SealPurpose), "users", "totp_secret");

/// <summary>...and the ones still pending.</summary>
internal sealed class SealedPendingTotpSecrets(AppDbContext db, SecretSealer sealer)
    : SealedColumn(db, sealer.For(SecondFactor.SealPurpose), "users", "pending_totp_secret");
