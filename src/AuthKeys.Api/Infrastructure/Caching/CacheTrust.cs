namespace AuthKeys.Api.Infrastructure.Caching;

/// <summary>
/// How far cached credential state can be trusted. While this node hears every revocation notice,
/// an entry is good for its whole time-to-live; while it may be missing some (its listening
/// connection is down), an entry is trusted for at most <see cref="MaxStaleness"/> after the later
/// of "the listener went down" and "the entry was stored". Timestamps come from
/// <see cref="TimeProvider.GetTimestamp"/>, the clock the caches already read on every hit.
/// </summary>
public sealed class CacheTrust
{
    private const long Listening = long.MinValue;

    private readonly TimeProvider _time;
    private readonly long _maxStaleness;
    private long _deafSince;

    /// <summary>A new node is deaf until its listener has said LISTEN.</summary>
    public CacheTrust(TimeSpan maxStaleness, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        MaxStaleness = maxStaleness;
        _maxStaleness = (long)(maxStaleness.TotalSeconds * _time.TimestampFrequency);
        _deafSince = _time.GetTimestamp();
    }

    /// <summary>Trust that never lapses: for caches outside a node (tools, micro-benchmarks).</summary>
    public static CacheTrust AlwaysListening { get; } = CreateListening();

    public TimeSpan MaxStaleness { get; }

    public bool IsListening => Volatile.Read(ref _deafSince) == Listening;

    /// <summary>The hot-path check: one volatile read while listening.</summary>
    public bool Trusts(long storedAt, long now)
    {
        var deafSince = Volatile.Read(ref _deafSince);
        return deafSince == Listening || Math.Max(deafSince, storedAt) + _maxStaleness > now;
    }

    public void MarkListening() => Volatile.Write(ref _deafSince, Listening);

    /// <summary>Keeps the first moment of an outage: a failed reconnect does not extend trust.</summary>
    public void MarkDeaf() => Interlocked.CompareExchange(ref _deafSince, _time.GetTimestamp(), Listening);

    private static CacheTrust CreateListening()
    {
        var trust = new CacheTrust(TimeSpan.Zero);
        trust.MarkListening();
        return trust;
    }
}
