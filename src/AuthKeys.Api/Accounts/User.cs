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

    /// <summary>Failed logins since the last success; reaching LOGIN_MAX_FAILURES locks the account.</summary>
    public int FailedLoginCount { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<Session> Sessions { get; } = [];
}
