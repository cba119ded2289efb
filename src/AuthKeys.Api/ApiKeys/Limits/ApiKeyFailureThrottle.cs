using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Nodes;
using AuthKeys.Api.RateLimiting;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.ApiKeys.Limits;

public sealed class ApiKeyFailureOptions
{
    /// <summary>Failed API-key attempts per client address per minute before that address is refused.</summary>
    public int ApiKeyFailuresPerMinute { get; set; } = 100;

    internal static void Bind(ApiKeyFailureOptions options, EnvironmentReader env) =>
        options.ApiKeyFailuresPerMinute = env.WholeNumber("APIKEY_FAILURES_PER_MINUTE", options.ApiKeyFailuresPerMinute, 1, 1_000_000);
}

/// <summary>
/// Counts failed API-key attempts per client address in one-minute windows. Past
/// APIKEY_FAILURES_PER_MINUTE that address gets 429 for the rest of the window for every key that
/// fails or would need a lookup (a valid key its node holds still works), so nobody can scan for
/// keys at full speed. Failures are counted by the same shared-or-local fixed windows as the other
/// per-IP limit (in Redis for every node together when REDIS_URL is set); a failure costs that
/// count, a successful request only a lookup of the addresses currently blocked (a node learns that
/// an address is over the limit from the failure that takes it there, so every node refuses it by
/// its next failure at the latest).
/// </summary>
public sealed class ApiKeyFailureThrottle : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<IPAddress, DateTimeOffset> _blockedUntil = new();
    private readonly PartitionedRateLimiter<IPAddress> _failures;
    private readonly TimeProvider _time;

    public ApiKeyFailureThrottle(IOptions<ApiKeyFailureOptions> options, SharedCounterStore counters, TimeProvider time)
    {
        _time = time;
        var limit = options.Value.ApiKeyFailuresPerMinute;
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.Get(address,
            address => new SharedOrLocalRateLimiter($"authkeys:apikey-failures:{address}", limit, Window, counters)));
    }

    // TryGetValue is lock-free; IsEmpty and Count would take every lock of the dictionary.
    public bool IsBlocked(IPAddress address) =>
        _blockedUntil.TryGetValue(address, out var until) && until > _time.GetUtcNow();

    /// <summary>Counts a failed attempt; true when the attempt itself is over the limit (answer 429).</summary>
    public async ValueTask<bool> RecordFailureAsync(IPAddress address)
    {
        using var lease = await _failures.AcquireAsync(address);
        if (lease.IsAcquired && !(lease.TryGetMetadata(SharedOrLocalRateLimiter.Remaining, out var remaining) && remaining <= 0))
            return false;

        // The last allowed failure, or one past it: refuse the address for the rest of the window.
        var now = _time.GetUtcNow();
        _blockedUntil[address] = now + (lease.TryGetMetadata(SharedOrLocalRateLimiter.ResetAfter, out var reset) && reset > TimeSpan.Zero ? reset : Window);
        if (_blockedUntil.Count > SweepThreshold)
        {
            // Forget addresses whose block has ended, so a wide scan cannot grow this without bound.
            foreach (var (key, until) in _blockedUntil)
            {
                if (until <= now)
                    _blockedUntil.TryRemove(key, out _);
            }
        }
        return !lease.IsAcquired;
    }

    public void Dispose() => _failures.Dispose();
}
