using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>A redeemed token, or why it was refused (as the <c>errors.token</c> message says it).</summary>
public sealed record Redemption(AccountToken? Token, string? Refusal);

/// <summary>Issues and redeems account tokens in the caller's unit of work.</summary>
public sealed class AccountTokens(AppDbContext db, TimeProvider time)
{
    /// <summary>At most one counted token of a kind per account a minute, and this many an hour.</summary>
    public const int PerHour = 5;

    /// <summary>Longest token accepted: 256 bits in URL-safe base64 are 43 characters.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// A new token of <paramref name="kind"/> (256 random bits, URL-safe), superseding the account's
    /// unspent ones of that kind; saved by the caller's SaveChanges. Returns the token itself,
    /// which is never stored.
    /// </summary>
    public async Task<string> IssueAsync(Guid userId, string kind, TimeSpan lifetime, CancellationToken cancellationToken, string? newEmail = null)
    {
        var now = time.GetUtcNow();
        await db.AccountTokens
            .Where(t => t.UserId == userId && t.Kind == kind && t.UsedAt == null && t.SupersededAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.SupersededAt, now), cancellationToken);
        return Add(userId, kind, lifetime, newEmail, countsTowardLimit: true);
    }

    /// <summary>The verification token of a new account: nothing to supersede, and not counted toward the resend limit.</summary>
    public string IssueFirst(Guid userId, string kind, TimeSpan lifetime) => Add(userId, kind, lifetime, null, countsTowardLimit: false);

    private string Add(Guid userId, string kind, TimeSpan lifetime, string? newEmail, bool countsTowardLimit)
    {
        var now = time.GetUtcNow();
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        db.AccountTokens.Add(new AccountToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Kind = kind,
            TokenHash = Hash(token),
            NewEmail = newEmail,
            CountsTowardLimit = countsTowardLimit,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        return token;
    }

    /// <summary>
    /// How long until the account may have another counted token of <paramref name="kind"/>, or
    /// null when it may now. Call it inside a transaction that holds the account's row
    /// (<see cref="LockAccountAsync"/>), so that two requests at once cannot both pass.
    /// </summary>
    public async Task<TimeSpan?> WaitBeforeNextAsync(Guid userId, string kind, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lastHour = await db.AccountTokens
            .Where(t => t.UserId == userId && t.Kind == kind && t.CountsTowardLimit && t.CreatedAt > now.AddHours(-1))
            .Select(t => t.CreatedAt).OrderBy(c => c).ToListAsync(cancellationToken);
        if (lastHour.Count >= PerHour)
            return lastHour[^PerHour] + TimeSpan.FromHours(1) - now;
        if (lastHour.Count > 0 && lastHour[^1] > now.AddMinutes(-1))
            return lastHour[^1] + TimeSpan.FromMinutes(1) - now;
        return null;
    }

    /// <summary>Holds the account's row until the transaction ends: one token issuer per account at a time.</summary>
    public Task LockAccountAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken);

    /// <summary>
    /// Spends a token of one of <paramref name="kinds"/>: one atomic UPDATE, so two requests with
    /// the same token spend it once.
    /// </summary>
    public async Task<Redemption> RedeemAsync(string? token, string[] kinds, CancellationToken cancellationToken)
    {
        var usable = await FindUsableAsync(token, kinds, cancellationToken);
        if (usable.Token is not { } found)
            return usable;
        var now = time.GetUtcNow();
        var spent = await db.AccountTokens
            .Where(t => t.Id == found.Id && t.UsedAt == null && t.SupersededAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.UsedAt, now), cancellationToken);
        return spent == 1 ? new Redemption(found, null) : new Redemption(null, "This link has already been used.");
    }

    /// <summary>The token if it could be spent now, or why not; spends nothing.</summary>
    public async Task<Redemption> FindUsableAsync(string? token, string[] kinds, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
            return new Redemption(null, Unknown);
        var hash = Hash(token);
        var found = await db.AccountTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (found is null || !kinds.Contains(found.Kind))
            return new Redemption(null, Unknown);
        var now = time.GetUtcNow();
        if (found.UsedAt is not null)
            return new Redemption(null, "This link has already been used.");
        if (found.SupersededAt is not null)
            return new Redemption(null, "A newer link was sent; use the latest one.");
        return found.ExpiresAt <= now ? new Redemption(null, "This link has expired; ask for a new one.") : new Redemption(found, null);
    }

    private const string Unknown = "This link is not valid.";

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
