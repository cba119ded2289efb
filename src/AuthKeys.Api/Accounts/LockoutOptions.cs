using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Accounts;

public sealed class LockoutOptions
{
    /// <summary>Failures from one client address before that address is locked out of the account.</summary>
    public int LoginMaxFailures { get; set; } = 10;

    /// <summary>Failures from all addresses within <see cref="AccountWindow"/> before every address is locked out.</summary>
    public int AccountMaxFailures { get; set; } = 100;

    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromSeconds(900);

    public static readonly TimeSpan AccountWindow = TimeSpan.FromHours(1);

    internal static void Bind(LockoutOptions options, EnvironmentReader env)
    {
        options.LoginMaxFailures = env.WholeNumber("LOGIN_MAX_FAILURES", options.LoginMaxFailures, 1, 1_000_000);
        options.AccountMaxFailures = env.WholeNumber("LOGIN_ACCOUNT_MAX_FAILURES", options.AccountMaxFailures, 1, 10_000_000);
        options.LoginLockout = TimeSpan.FromSeconds(env.WholeNumber("LOGIN_LOCKOUT_SECONDS", (int)options.LoginLockout.TotalSeconds, 1, 30 * 86400));
    }
}
