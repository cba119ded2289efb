using System.Runtime.InteropServices;
using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// APIKEY_CACHE_SIZE: how many keys each node keeps in memory (bench/scale.sh reports the bytes each
/// costs); a key in use beyond it costs one indexed query per use instead of one per cache lifetime.
/// APIKEY_VERIFY_CACHE_SIZE: how many keys' names and meta (up to 1 KiB each) verify keeps; a key
/// verified beyond it costs one more indexed query per verification.
/// </summary>
public sealed class ApiKeyCacheOptions
{
    public int Capacity { get; set; } = 200_000;
    public int DetailsCapacity { get; set; } = 10_000;
}

/// <summary>The SHA-256 of a key as four machine words: a dictionary key that costs no allocation.</summary>
public readonly record struct ApiKeyHash(ulong A, ulong B, ulong C, ulong D)
{
    public static ApiKeyHash From(ReadOnlySpan<byte> sha256)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(sha256);
        return new ApiKeyHash(words[0], words[1], words[2], words[3]);
    }

    /// <summary>
    /// The first 128 bits, which the caches are keyed by: half the bytes per entry (a node may hold a
    /// million), and finding a key whose hash starts like a cached one's takes about 2^128 hashes
    /// divided by the number cached. Loads still query by the whole hash.
    /// </summary>
    public UInt128 CacheKey => new(A, B);

    public byte[] ToBytes()
    {
        var bytes = new byte[32];
        MemoryMarshal.Write(bytes, this);
        return bytes;
    }
}

/// <summary>
/// Key lookups by SHA-256: one indexed query on a miss, memory afterwards. Revocation and owner
/// deactivation evict entries after committing, so the next request on this node goes back to the
/// database; other nodes evict on the notice the database sends for the same change.
/// </summary>
public sealed class ApiKeyCache(IServiceScopeFactory scopes, CacheTrust trust, AuthKeysMetrics metrics, IOptions<ApiKeyCacheOptions> options)
    : IRevocationSubscriber
{
    private static readonly Func<AppDbContext, byte[], CancellationToken, Task<ApiKeyIdentity?>> LookupQuery =
        EF.CompileAsyncQuery((AppDbContext db, byte[] hash, CancellationToken _) =>
            db.ApiKeys.AsNoTracking()
                .Where(k => k.KeyHash == hash)
                .Select(k => new ApiKeyIdentity(k.Id, k.UserId, k.User.Email, k.ExpiresAt, k.RevokedAt == null && k.IsActive && k.User.IsActive,
                    k.Scopes, k.Remaining != null, k.RefillInterval,
                    k.RateLimitLimit == null ? null : new KeyRateLimit(k.RateLimitLimit.Value, k.RateLimitWindowSeconds!.Value)))
                .SingleOrDefault());

    private static readonly Func<AppDbContext, byte[], CancellationToken, Task<ApiKeyDetails?>> DetailsQuery =
        EF.CompileAsyncQuery((AppDbContext db, byte[] hash, CancellationToken _) =>
            db.ApiKeys.AsNoTracking().Where(k => k.KeyHash == hash).Select(k => new ApiKeyDetails(k.Name, k.Meta)).SingleOrDefault());

    // Notices, not the time-to-live, bound how long a change goes unseen: a long life saves a query
    // per key in use per lifetime.
    private readonly RevocableCache<UInt128, ApiKeyIdentity> _cache = new(TimeSpan.FromMinutes(5), options.Value.Capacity, trust: trust,
        onLookup: hit => metrics.CacheLookup(AuthKeysMetrics.CacheName.ApiKeys, hit));

    // Evicted with the identity: by the same calls and the same notices.
    private readonly RevocableCache<UInt128, ApiKeyDetails> _details = new(TimeSpan.FromMinutes(5), options.Value.DetailsCapacity, trust: trust);

    /// <summary>A DbContext is rented only on a miss, in a scope of its own: the load is shared by every request waiting for the key.</summary>
    public ValueTask<ApiKeyIdentity?> FindAsync(ApiKeyHash keyHash, CancellationToken cancellationToken) =>
        _cache.GetOrLoadAsync(keyHash.CacheKey, (scopes, keyHash), static (_, state) => state.scopes.QueryAsync(LookupQuery, state.keyHash.ToBytes()), cancellationToken);

    /// <summary>The name and meta of a key, for verify's answer: one more query on a miss.</summary>
    public ValueTask<ApiKeyDetails?> FindDetailsAsync(ApiKeyHash keyHash, CancellationToken cancellationToken) =>
        _details.GetOrLoadAsync(keyHash.CacheKey, (scopes, keyHash), static (_, state) => state.scopes.QueryAsync(DetailsQuery, state.keyHash.ToBytes()), cancellationToken);

    /// <summary>A key this node holds now, without a lookup on a miss.</summary>
    public bool TryGetCached(ApiKeyHash keyHash, out ApiKeyIdentity? key) => _cache.TryGetCached(keyHash.CacheKey, out key);

    /// <summary>Call after the change is committed.</summary>
    public void Evict(IEnumerable<byte[]> keyHashes)
    {
        var hashes = keyHashes.Select(h => ApiKeyHash.From(h).CacheKey).ToList();
        _cache.Revoke(hashes);
        _details.Revoke(hashes);
    }

    void IRevocationSubscriber.OnRevoked(RevocationNotice notice)
    {
        if (notice is { Scope: RevocationScope.ApiKey, KeyHash: { } hash })
            Evict([hash]);
    }

    void IRevocationSubscriber.Clear()
    {
        _cache.Clear();
        _details.Clear();
    }
}
