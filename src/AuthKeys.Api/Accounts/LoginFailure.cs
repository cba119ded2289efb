namespace AuthKeys.Api.Accounts;

/// <summary>
/// Wrong passwords (and second-factor codes) given for one account from one client address,
/// grouped as every per-address limit groups them. Gone after a success from that address.
/// </summary>
public sealed class LoginFailure
{
    /// <summary>Longest grouped address stored (an IPv6 address written out).</summary>
    public const int AddressMaxLength = 45;

    public Guid UserId { get; set; }

    public required string Address { get; set; }

    /// <summary>Attempts claimed since the last success or lock, verified or still being verified.</summary>
    public int FailedCount { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset LastAttemptAt { get; set; }
}
