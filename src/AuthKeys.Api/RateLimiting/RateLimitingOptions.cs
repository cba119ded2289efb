using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.RateLimiting;

public sealed class RateLimitingOptions
{
    /// <summary>Signup and login requests per client address per minute.</summary>
    public int AuthRequestsPerMinute { get; set; } = 60;

    internal static void Bind(RateLimitingOptions options, EnvironmentReader env) =>
        options.AuthRequestsPerMinute = env.WholeNumber("AUTH_RATE_LIMIT_PER_MINUTE", options.AuthRequestsPerMinute, 1, 1_000_000);
}
