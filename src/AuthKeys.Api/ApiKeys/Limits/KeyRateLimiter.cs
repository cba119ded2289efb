using System.Globalization;
using System.Threading.RateLimiting;
using AuthKeys.Api.Nodes;
using AuthKeys.Api.RateLimiting;

namespace AuthKeys.Api.ApiKeys.Limits;

/// <summary>What a key's rate limit said about one use, and the IETF RateLimit headers that tell the client.</summary>
public readonly record struct KeyRateDecision(bool Allowed, KeyRateLimit Policy, long Remaining, int ResetSeconds)
{
    /// <summary><c>RateLimit-Policy: "key";q=100;w=60</c> (draft-ietf-httpapi-ratelimit-headers).</summary>
    public string PolicyHeader => string.Create(CultureInfo.InvariantCulture, $"\"key\";q={Policy.Limit};w={Policy.WindowSeconds}");

    /// <summary><c>RateLimit: "key";r=42;t=17</c>: uses left in this window, seconds until it resets.</summary>
    public string Header => string.Create(CultureInfo.InvariantCulture, $"\"key\";r={Remaining};t={ResetSeconds}");
}

/// <summary>
/// Per-key rate limits: the framework's partitioned limiter, one fixed window per key (and per limit,
/// so a changed limit starts afresh), counted in Redis for every node when REDIS_URL is set
/// (<see cref="SharedOrLocalRateLimiter"/>). Only successful uses are counted.
/// </summary>
public sealed class KeyRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(Guid Key, KeyRateLimit Rate)> _limiter;

    public KeyRateLimiter(SharedCounterStore counters)
    {
        // Built once: the partition function runs on every use and must not allocate.
        Func<(Guid Key, KeyRateLimit Rate), RateLimiter> create = partition => new SharedOrLocalRateLimiter(
            $"authkeys:key:{partition.Key:N}:{partition.Rate.Limit}:{partition.Rate.WindowSeconds}",
            partition.Rate.Limit, TimeSpan.FromSeconds(partition.Rate.WindowSeconds), counters);
        _limiter = PartitionedRateLimiter.Create<(Guid Key, KeyRateLimit Rate), (Guid Key, KeyRateLimit Rate)>(use => RateLimitPartition.Get(use, create));
    }

    public async ValueTask<KeyRateDecision> AcquireAsync(Guid keyId, KeyRateLimit rate, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync((keyId, rate), 1, cancellationToken);
        var remaining = lease.TryGetMetadata(SharedOrLocalRateLimiter.Remaining, out var left) ? left : 0;
        var reset = lease.TryGetMetadata(SharedOrLocalRateLimiter.ResetAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : rate.WindowSeconds;
        return new KeyRateDecision(lease.IsAcquired, rate, remaining, Math.Max(reset, lease.IsAcquired ? 0 : 1));
    }

    public void Dispose() => _limiter.Dispose();
}
