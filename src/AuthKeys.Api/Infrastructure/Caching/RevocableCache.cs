using Microsoft.Extensions.Caching.Memory;

namespace AuthKeys.Api.Infrastructure.Caching;

/// <summary>
/// A bounded in-memory cache for authentication state that can be revoked safely: a load that
/// started before a revocation never puts its (now stale) result back afterwards, so once
/// <see cref="Revoke"/> has returned, the next lookup sees the database's new state.
/// </summary>
public sealed class RevocableCache<TKey, TValue>(TimeSpan timeToLive, long sizeLimit) : IDisposable
    where TKey : notnull
    where TValue : class
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = sizeLimit });
    private long _revocations;

    public async ValueTask<TValue?> GetOrLoadAsync<TState>(TKey key, TState state, Func<TKey, TState, CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(key, out TValue? cached))
            return cached;

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
                _cache.Remove(key);
            else
                Store(key, replacement);
        }
    }

    private void Store(TKey key, TValue value) =>
        _cache.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = timeToLive });

    public void Dispose() => _cache.Dispose();
}
