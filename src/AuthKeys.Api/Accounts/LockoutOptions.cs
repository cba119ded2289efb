using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Accounts;

public sealed class LockoutOptions
{
    /// <summary>Failed logins of one account before it is locked.</summary>
    public int LoginMaxFailures { get; set; } = 10;

    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromSeconds(900);

    internal static void Bind(LockoutOptions options, EnvironmentReader env)
    {
        options.LoginMaxFailures = env.WholeNumber("LOGIN_MAX_FAILURES", options.LoginMaxFailures, 1, 1_000_000);
        options.LoginLockout = TimeSpan.FromSeconds(env.WholeNumber("LOGIN_LOCKOUT_SECONDS", (int)options.LoginLockout.TotalSeconds, 1, 30 * 86400));
    }
}
