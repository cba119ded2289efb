using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace AuthKeys.Api.Infrastructure.Security;

/// <summary>
/// A fixed window counted in Redis (RedisRateLimiting) while Redis answers, so that every node
/// shares it, and in this node's memory while it does not: a Redis outage never fails a request.
/// One instance per partition (client address), created by a partitioned limiter.
/// </summary>
public sealed class SharedOrLocalRateLimiter : RateLimiter
{
    private static readonly RateLimitLease GoAsync = new NotAcquired();

    private readonly string _key;
    private readonly int _permitLimit;
    private readonly TimeSpan _window;
    private readonly SharedCounterStore _store;
    private readonly FixedWindowRateLimiter _local;
    private RateLimiter? _shared;
    private long _lastUsed = Environment.TickCount64;

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
        _local = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window, QueueLimit = 0 });
    }

    /// <summary>
    /// Lets the partitioned limiter drop partitions nobody used for a while, but never one whose
    /// local window still counts something (that count would be lost).
    /// </summary>
    public override TimeSpan? IdleDuration => _local.IdleDuration is null
        ? null
        : TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    /// <summary>Seconds to wait after a refusal, whichever store refused.</summary>
    public static int? RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds)
        : lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? seconds
        : null;

    /// <summary>Redis needs a round trip: the rate-limiting middleware then calls <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Volatile.Write(ref _lastUsed, Environment.TickCount64);
        return _store.Available is null ? _local.AttemptAcquire(permitCount) : GoAsync;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastUsed, Environment.TickCount64);
        if (_store.Available is { } redis)
        {
            try
            {
                _shared ??= new RedisFixedWindowRateLimiter<string>(_key, new RedisFixedWindowRateLimiterOptions
                {
                    PermitLimit = _permitLimit,
                    Window = _window,
                    ConnectionMultiplexerFactory = () => redis,
                });
                return await _shared.AcquireAsync(permitCount, cancellationToken);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _store.ReportFailure(e);
            }
        }
        return await _local.AcquireAsync(permitCount, cancellationToken);
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

    private sealed class NotAcquired : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
