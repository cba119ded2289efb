namespace AuthKeys.Api.Accounts.Email;

/// <summary>
/// A single-use link token of an account (verify the address, reset the password, confirm a new
/// address), stored only as its SHA-256. A newer one of the same kind supersedes the older ones.
/// </summary>
public sealed class AccountToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>One of <see cref="TokenKind"/>.</summary>
    public required string Kind { get; set; }

    public required byte[] TokenHash { get; set; }

    /// <summary>The address an address-change token confirms.</summary>
    public string? NewEmail { get; set; }

    /// <summary>False for the verification mail of signup, which the resend limit leaves out.</summary>
    public bool CountsTowardLimit { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }

    public DateTimeOffset? SupersededAt { get; set; }
}

public static class TokenKind
{
    public const int MaxLength = 16;

    public const string VerifyEmail = "verify_email";
    public const string ResetPassword = "reset_password";
    public const string ChangeEmail = "change_email";
}
