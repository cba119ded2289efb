using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>How the second step of a login ended: a session, a refusal of the code, or an mfaToken that no longer works.</summary>
public sealed record MfaLoginResult(AuthResponse? Tokens, SecretCheck? Refusal)
{
    public static readonly MfaLoginResult InvalidToken = new(null, null);
}

/// <summary>The two-step login: a right password yields an mfaToken, which a right code turns into a session.</summary>
public sealed class MfaLogins(AppDbContext db, SecondFactor factor, SessionService sessions, TimeProvider time)
{
    public const int TokenMaxLength = 64;
    private const string Marker = "mfa_";

    /// <summary>An mfaToken for <paramref name="user"/>, whose password was right; the account's expired ones go.</summary>
    public async Task<string> StartAsync(User user, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.MfaChallenges.Where(c => c.UserId == user.Id && c.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        var token = Marker + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        db.MfaChallenges.Add(new MfaChallenge { Id = Guid.CreateVersion7(), UserId = user.Id, TokenHash = Hash(token), CreatedAt = now, ExpiresAt = now + MfaChallenge.Lifetime });
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    public async Task<MfaLoginResult> FinishAsync(string token, string code, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        var now = time.GetUtcNow();
        var challenge = await db.MfaChallenges.AsNoTracking()
            .SingleOrDefaultAsync(c => c.TokenHash == hash && c.UsedAt == null && c.ExpiresAt > now && c.WrongCodes < MfaChallenge.MaxWrongCodes, cancellationToken);
        if (challenge is null)
            return MfaLoginResult.InvalidToken;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == challenge.UserId && u.IsActive && u.MfaEnabledAt != null, cancellationToken);
        if (user is null)
            return MfaLoginResult.InvalidToken;

        var check = await factor.CheckAsync(user, code, origin, cancellationToken);
        if (check.Outcome == SecretOutcome.Locked)
            return new MfaLoginResult(null, check);
        if (!check.IsCorrect)
        {
            await db.MfaChallenges.Where(c => c.Id == challenge.Id)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.WrongCodes, x => x.WrongCodes + 1), cancellationToken);
            return new MfaLoginResult(null, check);
        }
        // Conditional, so that one mfaToken opens one session however many requests carry it.
        var spent = await db.MfaChallenges
            .Where(c => c.Id == challenge.Id && c.UsedAt == null && c.WrongCodes < MfaChallenge.MaxWrongCodes)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.UsedAt, now), cancellationToken);
        if (spent != 1)
            return MfaLoginResult.InvalidToken;
        var tokens = sessions.Open(user, origin, EventTypes.LoginSucceeded, AuthenticationMethods.PasswordAndOtp);
        await db.SaveChangesAsync(cancellationToken);
        return new MfaLoginResult(AuthResponse.Of(user, tokens), null);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
