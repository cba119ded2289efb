using System.Collections.Concurrent;
using System.Net;
using AuthKeys.Api.Infrastructure.Security;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// Counts failed API-key attempts per client IP in one-minute windows. Past
/// APIKEY_FAILURES_PER_MINUTE that IP gets 429 for the rest of the window, so nobody can scan for
/// keys at full speed. Only failing addresses have an entry: a successful request costs two lookups.
/// With REDIS_URL set, failures are counted in Redis for every node together: a failure costs a
/// round trip, a success still none (a node learns that an address is over the limit from the
/// failure that takes it there, so every node refuses it by its next failure at the latest).
/// </summary>
public sealed class ApiKeyFailureThrottle(IOptions<ThrottlingOptions> options, SharedCounterStore counters, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();
    private readonly ConcurrentDictionary<IPAddress, DateTimeOffset> _blockedUntil = new();
    private readonly int _limit = options.Value.ApiKeyFailuresPerMinute;

    // TryGetValue is lock-free; IsEmpty and Count would take every lock of the dictionary.
    public bool IsBlocked(IPAddress address) =>
        (_failures.TryGetValue(address, out var failures) && failures.Window == CurrentWindow() && failures.Count >= _limit)
        || (_blockedUntil.TryGetValue(address, out var until) && until > time.GetUtcNow());

    /// <summary>Counts a failed attempt; true when the attempt itself is over the limit (answer 429).</summary>
    public async ValueTask<bool> RecordFailureAsync(IPAddress address)
    {
        if (counters.Available is { } redis)
        {
            try
            {
                using var limiter = new RedisFixedWindowRateLimiter<string>($"authkeys:apikey-failures:{address}",
                    new RedisFixedWindowRateLimiterOptions { PermitLimit = _limit, Window = Window, ConnectionMultiplexerFactory = () => redis });
                using var lease = await limiter.AcquireAsync();
                if (lease.IsAcquired && !(lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var remaining) && remaining <= 0))
                    return false;
                var retryAfter = SharedOrLocalRateLimiter.RetryAfterSeconds(lease) ?? (int)Window.TotalSeconds;
                var now = time.GetUtcNow();
                _blockedUntil[address] = now.AddSeconds(Math.Max(1, retryAfter));
                if (_blockedUntil.Count > SweepThreshold)
                {
                    foreach (var (key, until) in _blockedUntil)
                    {
                        if (until <= now)
                            _blockedUntil.TryRemove(key, out _);
                    }
                }
                return !lease.IsAcquired;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                counters.ReportFailure(e);
            }
        }
        RecordLocally(address);
        return false;
    }

    private void RecordLocally(IPAddress address)
    {
        var window = CurrentWindow();
        _failures.AddOrUpdate(address, static (_, window) => new Failures(window, 1),
            static (_, previous, window) => previous.Window == window ? previous with { Count = previous.Count + 1 } : new Failures(window, 1), window);
        if (_failures.Count > SweepThreshold)
        {
            // Forget addresses whose window has passed, so a wide scan cannot grow this without bound.
            foreach (var (key, failures) in _failures)
            {
                if (failures.Window != window)
                    _failures.TryRemove(key, out _);
            }
        }
    }

    private long CurrentWindow() => time.GetUtcNow().Ticks / Window.Ticks;

    private sealed record Failures(long Window, int Count);
}
