using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using AuthKeys.Api.Nodes;
using RedisRateLimiting;
using StackExchange.Redis;

namespace AuthKeys.Api.RateLimiting;

/// <summary>
/// A fixed window counted in Redis (RedisRateLimiting) while Redis answers, so that every node
/// shares it, and in this node's memory (the framework's FixedWindowRateLimiter) while it does not:
/// a Redis outage never fails a request. One instance per partition (a client address, a key),
/// created by a partitioned limiter. Every lease says how many permits are left and when the window
/// resets (<see cref="Remaining"/>, <see cref="ResetAfter"/>), for the IETF RateLimit headers.
/// </summary>
public sealed class SharedOrLocalRateLimiter : RateLimiter
{
    public static readonly MetadataName<long> Remaining = MetadataName.Create<long>("AUTHKEYS_REMAINING");
    public static readonly MetadataName<TimeSpan> ResetAfter = MetadataName.Create<TimeSpan>("AUTHKEYS_RESET_AFTER");

    private static readonly RateLimitLease GoAsync = new CountedLease(false, 0, TimeSpan.Zero);

    private readonly string _key;
    private readonly int _permitLimit;
    private readonly TimeSpan _window;
    private readonly SharedCounterStore _store;
    private readonly FixedWindowRateLimiter _local;
    private readonly Lock _windowLock = new();
    private RateLimiter? _shared;
    private long _windowStart = Stopwatch.GetTimestamp();
    private long _lastUsed = Stopwatch.GetTimestamp();

    /// <param name="key">The Redis key, naming the limit and the partition (<c>authkeys:auth:203.0.113.7</c>).</param>
    /// <param name="permitLimit">Permits per window, on all nodes together.</param>
    /// <param name="window">The fixed window.</param>
    /// <param name="store">The Redis connection, when there is one that answers.</param>
    public SharedOrLocalRateLimiter(string key, int permitLimit, TimeSpan window, SharedCounterStore store)
    {
        _key = key;
        _permitLimit = permitLimit;
        _window = window;
        _store = store;
        // Replenished by our own acquisitions, not by a timer per instance: there is one instance per
        // client address or key in use, and a timer each would add up.
        _local = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitLimit, Window = window, QueueLimit = 0, AutoReplenishment = false,
        });
    }

    /// <summary>
    /// Lets the partitioned limiter drop a partition nobody used since its window ended (its count
    /// is void by then); never one whose window still counts something.
    /// </summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            var now = Stopwatch.GetTimestamp();
            return Stopwatch.GetElapsedTime(Volatile.Read(ref _windowStart), now) < _window
                ? null
                : Stopwatch.GetElapsedTime(Volatile.Read(ref _lastUsed), now);
        }
    }

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    /// <summary>Redis needs a round trip: the rate-limiting middleware then calls <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        _store.IsConfigured && SharedAvailable() ? GoAsync : AcquireLocally(permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        (_store.IsConfigured ? await AcquireSharedAsync(permitCount, cancellationToken) : null) ?? AcquireLocally(permitCount);

    // The methods naming Redis types are kept apart and never inlined, so that a node without
    // REDIS_URL never loads the Redis client (see RedisOptions.Url).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool SharedAvailable() => _store.Available is not null;

    /// <summary>The lease counted in Redis; null while Redis is away, to count locally instead.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async ValueTask<CountedLease?> AcquireSharedAsync(int permitCount, CancellationToken cancellationToken)
    {
        if (_store.Available is not { } redis)
            return null;
        try
        {
            _shared ??= new RedisFixedWindowRateLimiter<string>(_key, new RedisFixedWindowRateLimiterOptions
            {
                PermitLimit = _permitLimit,
                Window = _window,
                ConnectionMultiplexerFactory = () => redis,
            });
            using var lease = await _shared.AcquireAsync(permitCount, cancellationToken);
            Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());
            var remaining = lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var left) ? left : 0;
            var reset = lease.TryGetMetadata(RateLimitMetadataName.Reset, out var resetAt)
                ? DateTimeOffset.FromUnixTimeSeconds(resetAt) - DateTimeOffset.UtcNow
                : _window;
            return new CountedLease(lease.IsAcquired, remaining, reset < TimeSpan.Zero ? TimeSpan.Zero : reset);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _store.ReportFailure(e);
            return null;
        }
    }

    private CountedLease AcquireLocally(int permitCount)
    {
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastUsed, now);
        lock (_windowLock)
        {
            // FixedWindowRateLimiter replenishes only once a whole window has passed since the last
            // time; the same test here keeps our idea of the window's start in step with it.
            if (Stopwatch.GetElapsedTime(_windowStart, now) >= _window)
            {
                _local.TryReplenish();
                Volatile.Write(ref _windowStart, now);
            }
        }
        using var lease = _local.AttemptAcquire(permitCount);
        var resetAfter = _window - Stopwatch.GetElapsedTime(Volatile.Read(ref _windowStart), now);
        return new CountedLease(lease.IsAcquired, _local.GetStatistics()?.CurrentAvailablePermits ?? 0, resetAfter < TimeSpan.Zero ? TimeSpan.Zero : resetAfter);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _local.Dispose();
            _shared?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Fixed-window permits are not given back: the lease only carries the verdict and the counts.</summary>
    private sealed class CountedLease(bool acquired, long remaining, TimeSpan resetAfter) : RateLimitLease
    {
        private static readonly string[] Names = [MetadataName.RetryAfter.Name, Remaining.Name, ResetAfter.Name];

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => Names;

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName switch
            {
                _ when metadataName == Remaining.Name => remaining,
                _ when metadataName == ResetAfter.Name => resetAfter,
                _ when metadataName == MetadataName.RetryAfter.Name && !IsAcquired => resetAfter,
                _ => null,
            };
            return metadata is not null;
        }
    }
}
