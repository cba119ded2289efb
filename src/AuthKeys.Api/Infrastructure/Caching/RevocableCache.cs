using System.Collections.Concurrent;

namespace AuthKeys.Api.Infrastructure.Caching;

/// <summary>
/// A bounded in-memory cache for authentication state that can be revoked safely: a load that
/// started before a revocation never puts its (now stale) result back afterwards, so once
/// <see cref="Revoke"/> has returned, the next lookup sees the database's new state.
/// A hit is one lock-free dictionary read and a clock comparison: it runs on every request.
/// </summary>
/// <remarks>
/// Each entry lives a random 75–100% of <paramref name="timeToLive"/>. Entries loaded together (all
/// keys in use after a restart) would otherwise expire together and be reloaded together once per
/// time-to-live, for as long as they stay in use: a burst of queries every minute instead of a trickle.
/// </remarks>
public sealed class RevocableCache<TKey, TValue>(TimeSpan timeToLive, int capacity, TimeProvider? time = null)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _timeToLive = (long)(timeToLive.TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency);
    private long _revocations;

    public async ValueTask<TValue?> GetOrLoadAsync<TState>(TKey key, TState state, Func<TKey, TState, CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > _time.GetTimestamp())
            return entry.Value;

        var revocationsBefore = Volatile.Read(ref _revocations);
        var loaded = await load(key, state, cancellationToken);
        if (loaded is not null && Volatile.Read(ref _revocations) == revocationsBefore)
            Store(key, loaded);
        return loaded;
    }

    /// <summary>Call after the revocation is committed to the database.</summary>
    public void Revoke(IEnumerable<TKey> keys, TValue? replacement = null)
    {
        Interlocked.Increment(ref _revocations);
        foreach (var key in keys)
        {
            if (replacement is null)
                _entries.TryRemove(key, out _);
            else
                Store(key, replacement);
        }
    }

    private void Store(TKey key, TValue value)
    {
        var now = _time.GetTimestamp();
        BoundedDictionary.MakeRoom(_entries, capacity, now, static (entry, now) => entry.ExpiresAt <= now);
        _entries[key] = new Entry(value, now + _timeToLive - Random.Shared.NextInt64(_timeToLive / 4 + 1));
    }

    private sealed record Entry(TValue Value, long ExpiresAt);
}
