using System.Threading.RateLimiting;
using AuthKeys.Api.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// Counts failed API-key attempts per client IP. Past APIKEY_FAILURES_PER_MINUTE that IP gets 429
/// for the rest of the minute, so nobody can scan for keys at full speed. Successes cost nothing.
/// </summary>
public sealed class ApiKeyFailureThrottle : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _failures;

    public ApiKeyFailureThrottle(IOptions<ThrottlingOptions> options)
    {
        var limit = options.Value.ApiKeyFailuresPerMinute;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(
            address, _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = Window, QueueLimit = 0 }));
    }

    public bool IsBlocked(string address) => _failures.GetStatistics(address)?.CurrentAvailablePermits == 0;

    public void RecordFailure(string address)
    {
        using var lease = _failures.AttemptAcquire(address);
    }

    public void Dispose() => _failures.Dispose();
}
