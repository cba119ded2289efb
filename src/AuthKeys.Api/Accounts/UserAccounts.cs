using AuthKeys.Api.Accounts.Email;
using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Accounts;

/// <summary>
/// Account-wide changes. Each ends what it must in one transaction and evicts this node's caches
/// after committing; the database's notices tell the other nodes (migration RevocationNotices).
/// </summary>
public sealed class UserAccounts(
    AppDbContext db,
    SessionStateCache sessionStates,
    SessionService sessions,
    PasswordHasher passwords,
    LoginLockout lockout,
    SecondFactor secondFactor,
    AuditLog audit,
    AccountMail mail,
    IEnumerable<IAccountCredentials> heldElsewhere,
    TimeProvider time)
{
    public Task<AccountResponse?> FindAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new AccountResponse(u.Id, u.Email, u.Name, u.CreatedAt, u.EmailVerifiedAt != null, u.MfaEnabledAt != null,
                db.RecoveryCodes.Count(c => c.UserId == u.Id && c.UsedAt == null)))
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<AccountResponse?> RenameAsync(Guid userId, string? name, CancellationToken cancellationToken)
    {
        name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        var now = time.GetUtcNow();
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Name, name).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        return await FindAsync(userId, cancellationToken);
    }

    /// <summary>
    /// Stores the new password and ends every other session of the user (ASVS 7.4.3); the calling
    /// session goes on. Null when the account is gone.
    /// </summary>
    public async Task<SecretCheck?> ChangePasswordAsync(Actor actor, string currentPassword, string? code, string newPassword, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == actor.UserId, cancellationToken);
        if (user is null)
            return null;
        var check = await CheckSecretsAsync(user, currentPassword, code, actor.Origin, cancellationToken);
        if (!check.IsCorrect)
            return check;

        user.PasswordHash = await passwords.HashAsync(newPassword, cancellationToken);
        user.UpdatedAt = time.GetUtcNow();
        audit.Record(EventTypes.PasswordChanged, actor);
        mail.PasswordChanged(user.Id, user.Email, actor.Origin);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var ended = await sessions.RevokeAllAsync(actor.UserId, cancellationToken, except: actor.SessionId);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked(ended);
        return check;
    }

    /// <summary>
    /// Erases the account and everything it owns (sessions and their refresh tokens, keys, audit
    /// events, webhooks and their deliveries: the database cascades) in one statement; every
    /// credential of it is refused from the next request on, and the email is free again. Null
    /// when the account is already gone.
    /// </summary>
    public async Task<SecretCheck?> DeleteAsync(Actor actor, string password, string? code, CancellationToken cancellationToken)
    {
        var userId = actor.UserId;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
            return null;
        var check = await CheckSecretsAsync(user, password, code, actor.Origin, cancellationToken);
        if (!check.IsCorrect)
            return check;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var evict = await CredentialsOfAsync(userId, cancellationToken); // read before they cascade away
        await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        evict();
        return check;
    }

    /// <summary>Refuses the user everywhere from the next request on: JWTs, refresh tokens and API keys.</summary>
    public async Task DeactivateAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        var evict = await CredentialsOfAsync(userId, cancellationToken);
        evict();
    }

    /// <summary>Reads every credential of the user; the result evicts them from this node's caches (call it after the commit).</summary>
    private async Task<Action> CredentialsOfAsync(Guid userId, CancellationToken cancellationToken)
    {
        var sessionIds = await db.Sessions.Where(s => s.UserId == userId).Select(s => s.Id).ToListAsync(cancellationToken);
        var evictions = new List<Action> { () => sessionStates.MarkRevoked(sessionIds) };
        foreach (var credentials in heldElsewhere)
            evictions.Add(await credentials.CollectAsync(userId, cancellationToken));
        return () => evictions.ForEach(evict => evict());
    }

    /// <summary>As a login checks it: refused unchecked while locked; a wrong one counts toward the lockout.</summary>
    internal async Task<SecretCheck> CheckPasswordAsync(User user, string password, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (await lockout.ClaimAsync(user.Id, origin, cancellationToken) is not { } attempt)
            return SecretCheck.WrongPassword; // deleted meanwhile
        if (attempt.RetryAfter is { } wait)
            return SecretCheck.LockedFor(wait);
        if (!await lockout.VerifyAsync(attempt, () => passwords.VerifyAsync(password, user.PasswordHash, cancellationToken)))
        {
            await lockout.FailedAsync(attempt, origin, cancellationToken);
            return SecretCheck.WrongPassword;
        }
        // With a second factor, only the code that must follow proves the owner.
        await (user.MfaEnabledAt is null ? lockout.SucceededAsync(attempt, cancellationToken) : lockout.ReleasedAsync(attempt, cancellationToken));
        return SecretCheck.Correct;
    }

    /// <summary>The password, then, when the account has a second factor, <paramref name="code"/>.</summary>
    internal async Task<SecretCheck> CheckSecretsAsync(User user, string password, string? code, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var check = await CheckPasswordAsync(user, password, origin, cancellationToken);
        return check.IsCorrect ? await secondFactor.CheckAsync(user, code, origin, cancellationToken) : check;
    }
}
