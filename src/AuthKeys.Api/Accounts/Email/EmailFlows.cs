using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>How a request of the email flows ended; the controller turns it into a status.</summary>
public enum FlowOutcome
{
    Done,
    AccountGone,
    AlreadyVerified,
    TooSoon,
    InvalidToken,
    Refused,
    AddressTaken,
}

/// <summary>A flow's outcome; <c>Check</c> says why a password or code was refused (<see cref="FlowOutcome.Refused"/>).</summary>
public sealed record FlowResult(FlowOutcome Outcome, string? Detail = null, TimeSpan? RetryAfter = null, SecretCheck? Check = null)
{
    public static readonly FlowResult Done = new(FlowOutcome.Done);
}

/// <summary>
/// Verification, reset and address change. Each step is one transaction holding the change, its
/// audit event and its mail; what other nodes cache hears of it from the database's notices.
/// </summary>
public sealed class EmailFlows(
    AppDbContext db,
    AccountTokens tokens,
    AccountMail mail,
    UserAccounts accounts,
    SessionService sessions,
    SessionStateCache sessionStates,
    AuditLog audit,
    LoginLockout lockout,
    SecondFactor secondFactor,
    IOptions<EmailOptions> options,
    TimeProvider time)
{
    public const string VerifyPage = "verify-email";
    public const string ResetPage = "reset-password";

    private static readonly string[] VerifyKinds = [TokenKind.VerifyEmail, TokenKind.ChangeEmail];
    private static readonly string[] ResetKinds = [TokenKind.ResetPassword];

    /// <summary>The first verification mail, in signup's unit of work (it does not count toward the resend limit).</summary>
    public void AddFirstVerification(User user, RequestOrigin origin)
    {
        var token = tokens.IssueFirst(user.Id, TokenKind.VerifyEmail, EmailOptions.VerificationLifetime);
        mail.Verification(user.Id, user.Email, options.Value.Link(VerifyPage, token), origin);
        audit.Record(EventTypes.EmailVerificationSent, new Actor(user.Id, null, origin));
    }

    public async Task<FlowResult> ResendVerificationAsync(Actor actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await tokens.LockAccountAsync(actor.UserId, cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == actor.UserId, cancellationToken);
        if (user is null)
            return new FlowResult(FlowOutcome.AccountGone);
        if (user.EmailVerifiedAt is not null)
            return new FlowResult(FlowOutcome.AlreadyVerified);
        if (await tokens.WaitBeforeNextAsync(user.Id, TokenKind.VerifyEmail, cancellationToken) is { } wait)
            return new FlowResult(FlowOutcome.TooSoon, RetryAfter: wait);
        var token = await tokens.IssueAsync(user.Id, TokenKind.VerifyEmail, EmailOptions.VerificationLifetime, cancellationToken);
        mail.Verification(user.Id, user.Email, options.Value.Link(VerifyPage, token), actor.Origin);
        audit.Record(EventTypes.EmailVerificationSent, actor);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return FlowResult.Done;
    }

    /// <summary>Verifies the address, or moves the account to the address a change token confirms.</summary>
    public async Task<FlowResult> VerifyAsync(string token, RequestOrigin origin, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var redemption = await tokens.RedeemAsync(token, VerifyKinds, cancellationToken);
        if (redemption.Token is not { } spent)
            return new FlowResult(FlowOutcome.InvalidToken, redemption.Refusal);
        var user = await db.Users.SingleAsync(u => u.Id == spent.UserId, cancellationToken);
        var actor = new Actor(user.Id, null, origin);
        var now = time.GetUtcNow();
        if (spent.Kind == TokenKind.ChangeEmail && spent.NewEmail is { } newEmail)
        {
            var oldEmail = user.Email;
            user.Email = newEmail;
            user.EmailVerifiedAt = now;
            user.UpdatedAt = now;
            audit.Record(EventTypes.EmailChanged, actor);
            mail.AddressChanged(user.Id, oldEmail, newEmail, origin);
        }
        else
        {
            user.EmailVerifiedAt ??= now;
            user.UpdatedAt = now;
            audit.Record(EventTypes.EmailVerified, actor);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return new FlowResult(FlowOutcome.AddressTaken, "Another account took this address meanwhile.");
        }
        await transaction.CommitAsync(cancellationToken);
        return FlowResult.Done;
    }

    /// <summary>
    /// A reset link for the account with <paramref name="email"/>, if there is one and its limit
    /// allows: otherwise nothing, silently. Runs in the background (<see cref="ResetRequests"/>),
    /// so that the request answers the same, as fast, whatever the address.
    /// </summary>
    public async Task RequestResetAsync(string email, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var userId = await db.Users.Where(u => u.Email == email && u.IsActive).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(cancellationToken);
        if (userId is not { } id)
            return;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await tokens.LockAccountAsync(id, cancellationToken);
        if (await tokens.WaitBeforeNextAsync(id, TokenKind.ResetPassword, cancellationToken) is not null)
            return;
        var token = await tokens.IssueAsync(id, TokenKind.ResetPassword, EmailOptions.ResetLifetime, cancellationToken);
        mail.Reset(id, email, options.Value.Link(ResetPage, token), origin);
        audit.Record(EventTypes.PasswordResetRequested, new Actor(id, null, origin));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Sets the password, ends every session of the account (other nodes hear it from the
    /// database), clears its lockout and counts the address as verified: the link proved it. With
    /// a second factor, <paramref name="code"/> is checked first, and a refusal leaves the link usable.
    /// </summary>
    public async Task<FlowResult> ResetAsync(string token, string? code, string newPasswordHash, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var usable = await tokens.FindUsableAsync(token, ResetKinds, cancellationToken);
        if (usable.Token is not { } found)
            return new FlowResult(FlowOutcome.InvalidToken, usable.Refusal);
        if (await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == found.UserId, cancellationToken) is not { } owner)
            return new FlowResult(FlowOutcome.InvalidToken, "This link is not valid."); // the account was deleted meanwhile
        var check = await secondFactor.CheckAsync(owner, code, origin, cancellationToken);
        if (!check.IsCorrect)
            return new FlowResult(FlowOutcome.Refused, Check: check);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var redemption = await tokens.RedeemAsync(token, ResetKinds, cancellationToken);
        if (redemption.Token is not { } spent)
            return new FlowResult(FlowOutcome.InvalidToken, redemption.Refusal);
        var user = await db.Users.SingleAsync(u => u.Id == spent.UserId, cancellationToken);
        var now = time.GetUtcNow();
        user.PasswordHash = newPasswordHash;
        user.EmailVerifiedAt ??= now;
        user.UpdatedAt = now;
        audit.Record(EventTypes.PasswordReset, new Actor(user.Id, null, origin));
        mail.PasswordReset(user.Id, user.Email, origin);
        await db.SaveChangesAsync(cancellationToken);
        await lockout.ClearAsync(user.Id, cancellationToken);
        var ended = await sessions.RevokeAllAsync(user.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        sessionStates.MarkRevoked(ended);
        return FlowResult.Done;
    }

    /// <summary>A confirmation link to the new address and a notice to the old one; the address changes when the link is used.</summary>
    public async Task<FlowResult> RequestEmailChangeAsync(Actor actor, string newEmail, string password, string? code, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == actor.UserId, cancellationToken);
        if (user is null)
            return new FlowResult(FlowOutcome.AccountGone);
        // The password first: only the owner learns whether an address is taken.
        var check = await accounts.CheckSecretsAsync(user, password, code, actor.Origin, cancellationToken);
        if (!check.IsCorrect)
            return new FlowResult(FlowOutcome.Refused, Check: check);
        if (newEmail == user.Email || await db.Users.AnyAsync(u => u.Email == newEmail, cancellationToken))
            return new FlowResult(FlowOutcome.AddressTaken, "An account with this email already exists.");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await tokens.LockAccountAsync(user.Id, cancellationToken);
        var token = await tokens.IssueAsync(user.Id, TokenKind.ChangeEmail, EmailOptions.VerificationLifetime, cancellationToken, newEmail);
        mail.ConfirmNewAddress(user.Id, newEmail, options.Value.Link(VerifyPage, token), actor.Origin);
        mail.AddressChangeRequested(user.Id, user.Email, newEmail, actor.Origin);
        audit.Record(EventTypes.EmailChangeRequested, actor);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return FlowResult.Done;
    }
}
