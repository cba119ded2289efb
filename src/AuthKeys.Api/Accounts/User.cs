using AuthKeys.Api.Accounts.Sessions;

namespace AuthKeys.Api.Accounts;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>Trimmed and lower-cased; unique.</summary>
    public required string Email { get; set; }

    public string? Name { get; set; }

    public required string PasswordHash { get; set; }

    public bool IsActive { get; set; } = true;

    /// <summary>When a link sent to <see cref="Email"/> was used (verification, reset, address change); null until then.</summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    /// <summary>
    /// Attempts claimed from every address in the window that began at <see cref="FailuresSince"/>;
    /// reaching LOGIN_ACCOUNT_MAX_FAILURES locks the account on every address.
    /// </summary>
    public int FailedLoginCount { get; set; }

    public DateTimeOffset? FailuresSince { get; set; }

    /// <summary>Until when every address is refused (<see cref="LoginFailure"/> holds the per-address locks).</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>When the second factor (TOTP) was turned on; null while it is off.</summary>
    public DateTimeOffset? MfaEnabledAt { get; set; }

    /// <summary>The TOTP secret in use, sealed and bound to this account.</summary>
    public byte[]? TotpSecret { get; set; }

    /// <summary>A secret enrolled but not confirmed yet, sealed the same way.</summary>
    public byte[]? PendingTotpSecret { get; set; }

    /// <summary>The time step of the last code accepted: a code of it or an earlier one is refused.</summary>
    public long? TotpLastStep { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<Session> Sessions { get; } = [];
}
