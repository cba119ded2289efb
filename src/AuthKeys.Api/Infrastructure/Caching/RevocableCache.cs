using System.Collections.Concurrent;

namespace AuthKeys.Api.Infrastructure.Caching;

/// <summary>
/// A bounded in-memory cache for authentication state that can be revoked safely: a load that
/// started before a revocation never puts its (now stale) result back afterwards, so once
/// <see cref="Revoke"/> has returned, the next lookup sees the database's new state.
/// A hit is one lock-free dictionary read and a clock tick comparison: it runs on every request.
/// </summary>
public sealed class RevocableCache<TKey, TValue>(TimeSpan timeToLive, int capacity)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly long _timeToLiveMs = (long)timeToLive.TotalMilliseconds;
    private long _revocations;

    public async ValueTask<TValue?> GetOrLoadAsync<TState>(TKey key, TState state, Func<TKey, TState, CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > Environment.TickCount64)
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
        if (_entries.Count >= capacity)
            Trim();
        _entries[key] = new Entry(value, Environment.TickCount64 + _timeToLiveMs);
    }

    /// <summary>Drops expired entries; if that is not enough, starts over (misses reload from the database).</summary>
    private void Trim()
    {
        var now = Environment.TickCount64;
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
                _entries.TryRemove(key, out _);
        }
        if (_entries.Count >= capacity)
            _entries.Clear();
    }

    private sealed record Entry(TValue Value, long ExpiresAt);
}
