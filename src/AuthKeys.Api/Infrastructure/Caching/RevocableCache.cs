using System.Collections.Concurrent;
using BitFaster.Caching.Lru;

namespace AuthKeys.Api.Infrastructure.Caching;

/// <summary>
/// A bounded in-memory cache for authentication state that can be revoked safely: a load that
/// started before a revocation never puts its (now stale) result back afterwards, so once
/// <see cref="Revoke"/> has returned, the next lookup sees the database's new state.
/// A hit is one lock-free read and a clock comparison: it runs on every request. At capacity the
/// least recently used entries make room (BitFaster.Caching's ConcurrentLru), never the hot ones:
/// with more keys in use than it holds, only the coldest go back to the database.
/// </summary>
/// <remarks>
/// Each entry lives a random 75–100% of <paramref name="timeToLive"/>. Entries loaded together (all
/// keys in use after a restart) would otherwise expire together and be reloaded together once per
/// time-to-live, for as long as they stay in use: a burst of queries every minute instead of a trickle.
/// Revocations made on other nodes arrive as notices (Nodes/RevocationListener); while they
/// may be missed, <paramref name="trust"/> shortens every entry's life.
/// </remarks>
public sealed class RevocableCache<TKey, TValue>(TimeSpan timeToLive, int capacity, TimeProvider? time = null, CacheTrust? trust = null, Action<bool>? onLookup = null)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentLru<TKey, Entry> _entries = new(capacity);
    private readonly ConcurrentDictionary<TKey, Task<TValue?>> _loading = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly CacheTrust _trust = trust ?? CacheTrust.AlwaysListening;
    private long _revocations;

    /// <summary>
    /// The cached value, or the result of <paramref name="load"/>. Concurrent misses for one key share
    /// one load, so a hot key's expiry or a slow database costs one query, not one per waiting
    /// request (each holding a pooled connection). Being shared, the load gets no caller's token:
    /// the connection's command timeout bounds it; <paramref name="cancellationToken"/> only stops
    /// this caller's wait.
    /// </summary>
    public ValueTask<TValue?> GetOrLoadAsync<TState>(TKey key, TState state, Func<TKey, TState, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        if (TryGetCached(key, out var cached))
            return new ValueTask<TValue?>(cached);
        onLookup?.Invoke(false);

        if (!_loading.TryGetValue(key, out var loading))
        {
            var mine = new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously);
            loading = _loading.GetOrAdd(key, mine.Task);
            if (loading == mine.Task)
                _ = LoadAsync(key, state, load, mine);
        }
        return new ValueTask<TValue?>(loading.WaitAsync(cancellationToken));
    }

    /// <summary>The cached value, without loading on a miss: false when finding it would take a load.</summary>
    public bool TryGetCached(TKey key, out TValue? value)
    {
        if (_entries.TryGet(key, out var entry))
        {
            var now = _time.GetTimestamp();
            if (entry.ExpiresAt > now && _trust.Trusts(entry.StoredAt, now))
            {
                onLookup?.Invoke(true);
                value = entry.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>Call after the revocation is committed to the database.</summary>
    public void Revoke(IEnumerable<TKey> keys, TValue? replacement = null)
    {
        Interlocked.Increment(ref _revocations);
        foreach (var key in keys)
        {
            // A load in flight may have read the old state: later lookups must not join it.
            _loading.TryRemove(key, out _);
            if (replacement is null)
                _entries.TryRemove(key);
            else
                Store(key, replacement);
        }
    }

    /// <summary>Forgets every entry, and every load in flight: for when revocations may have been missed.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _revocations);
        _loading.Clear();
        _entries.Clear();
    }

    private async Task LoadAsync<TState>(TKey key, TState state, Func<TKey, TState, Task<TValue?>> load, TaskCompletionSource<TValue?> completion)
    {
        try
        {
            var revocationsBefore = Volatile.Read(ref _revocations);
            var loaded = await load(key, state);
            if (loaded is not null && Volatile.Read(ref _revocations) == revocationsBefore)
                Store(key, loaded);
            completion.SetResult(loaded);
        }
        catch (Exception e)
        {
            completion.SetException(e);
        }
        finally
        {
            _loading.TryRemove(new KeyValuePair<TKey, Task<TValue?>>(key, completion.Task));
        }
    }

    private void Store(TKey key, TValue value)
    {
        var now = _time.GetTimestamp();
        var lifetime = (long)(timeToLive.TotalSeconds * _time.TimestampFrequency);
        _entries.AddOrUpdate(key, new Entry(value, now, now + lifetime - Random.Shared.NextInt64(lifetime / 4 + 1)));
    }

    // A struct, held inside the LRU's own item (which reads it under a sequence lock, so a reader never
    // sees half of an update): a class here would cost every entry one more object.
    private readonly record struct Entry(TValue Value, long StoredAt, long ExpiresAt);
}
