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

    /// <summary>Failed logins since the last success; reaching LOGIN_MAX_FAILURES locks the account.</summary>
    public int FailedLoginCount { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<Session> Sessions { get; } = [];
}
