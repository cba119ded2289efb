using System.Net;
using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Infrastructure.Security;

public sealed class ThrottlingOptions
{
    /// <summary>Signup and login requests per client IP per minute.</summary>
    public int AuthRequestsPerMinute { get; set; } = 60;

    /// <summary>Failed logins of one account before it is locked.</summary>
    public int LoginMaxFailures { get; set; } = 10;

    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromSeconds(900);

    /// <summary>Failed API-key attempts per client IP per minute before that IP is refused.</summary>
    public int ApiKeyFailuresPerMinute { get; set; } = 100;

    /// <summary>Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; nobody else's are.</summary>
    public List<IPNetwork> TrustedProxies { get; } = [];

    internal static void Bind(ThrottlingOptions options, EnvironmentReader env)
    {
        options.AuthRequestsPerMinute = env.WholeNumber("AUTH_RATE_LIMIT_PER_MINUTE", options.AuthRequestsPerMinute, 1, 1_000_000);
        options.LoginMaxFailures = env.WholeNumber("LOGIN_MAX_FAILURES", options.LoginMaxFailures, 1, 1_000_000);
        options.LoginLockout = TimeSpan.FromSeconds(env.WholeNumber("LOGIN_LOCKOUT_SECONDS", (int)options.LoginLockout.TotalSeconds, 1, 30 * 86400));
        options.ApiKeyFailuresPerMinute = env.WholeNumber("APIKEY_FAILURES_PER_MINUTE", options.ApiKeyFailuresPerMinute, 1, 1_000_000);
        foreach (var entry in (env.Value("TRUSTED_PROXIES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
                options.TrustedProxies.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
                options.TrustedProxies.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            else
                env.Problem("TRUSTED_PROXIES", $"must be a comma-separated list of IP addresses or CIDR ranges (got '{entry}')");
        }
    }
}
