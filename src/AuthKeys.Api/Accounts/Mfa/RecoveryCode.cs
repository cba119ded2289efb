namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>One single-use recovery code of an account, stored only as a salted slow hash.</summary>
public sealed class RecoveryCode
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>PBKDF2 of the code without its dash, upper-cased: salt then hash.</summary>
    public required byte[] CodeHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// The proof of a right password that a login with a second factor hands back as its
/// <c>mfaToken</c>, stored only as its SHA-256: single use, for 5 minutes, ended by 5 wrong codes.
/// </summary>
public sealed class MfaChallenge
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public const int MaxWrongCodes = 5;

    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required byte[] TokenHash { get; set; }

    public int WrongCodes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}
