using System.Runtime.InteropServices;
using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.ApiKeys;

/// <summary>What authenticating (and verifying) a key needs to know, cached by the key's hash.</summary>
public sealed record ApiKeyIdentity(
    Guid KeyId, Guid UserId, string Email, DateTimeOffset? ExpiresAt, bool IsUsable, List<string> Scopes,
    bool HasQuota, string? RefillInterval, KeyRateLimit? RateLimit, string Name, string? StoredMeta)
{
    /// <summary>Whether the key is accepted at <paramref name="now"/>: not revoked, deactivated or rolled past its grace, and not expired.</summary>
    public bool IsValidAt(DateTimeOffset now) => IsUsable && !(ExpiresAt <= now);

    /// <summary>The <c>scope</c> claim, joined once per load rather than per request.</summary>
    public string? Scope { get; } = Scopes.Count == 0 ? null : string.Join(' ', Scopes);

    /// <summary>
    /// A new principal per request, a few hundred nanoseconds: the cache does not keep a claims
    /// object graph per key (it may hold hundreds of thousands), and nothing a request does to its
    /// principal can reach another request.
    /// </summary>
    public ClaimsPrincipal CreatePrincipal() => CreatePrincipal(Scope, AuthSchemes.ApiKey);

    /// <summary>The key's caller with <paramref name="scope"/>: its own, or the narrower one of a token minted for it.</summary>
    public ClaimsPrincipal CreatePrincipal(string? scope, string authenticationType)
    {
        var claims = new Claim[scope is null ? 3 : 4];
        claims[0] = new Claim(AuthClaims.Subject, UserId.ToString());
        claims[1] = new Claim(AuthClaims.Email, Email);
        claims[2] = new Claim(AuthClaims.KeyId, KeyId.ToString());
        if (scope is not null)
            claims[3] = new Claim(AuthClaims.Scope, scope);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, AuthClaims.Subject, null));
    }
}

/// <summary>
/// APIKEY_CACHE_SIZE: how many keys each node keeps in memory. Each costs about 1 KB; a key in use
/// beyond it costs one indexed query per use instead of one per cache lifetime (bench/scale.sh
/// measures it).
/// </summary>
public sealed class ApiKeyCacheOptions
{
    public int Capacity { get; set; } = 200_000;
}

/// <summary>The SHA-256 of a key as four machine words: a dictionary key that costs no allocation.</summary>
public readonly record struct ApiKeyHash(ulong A, ulong B, ulong C, ulong D)
{
    public static ApiKeyHash From(ReadOnlySpan<byte> sha256)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(sha256);
        return new ApiKeyHash(words[0], words[1], words[2], words[3]);
    }

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
                    k.RateLimitLimit == null ? null : new KeyRateLimit(k.RateLimitLimit.Value, k.RateLimitWindowSeconds!.Value), k.Name, k.Meta))
                .SingleOrDefault());

    // Notices, not the time-to-live, bound how long a change goes unseen: a long life saves a query
    // per key in use per lifetime.
    private readonly RevocableCache<ApiKeyHash, ApiKeyIdentity> _cache = new(TimeSpan.FromMinutes(5), options.Value.Capacity, trust: trust,
        onLookup: hit => metrics.CacheLookup(AuthKeysMetrics.CacheName.ApiKeys, hit));

    /// <summary>A DbContext is rented only on a miss, in a scope of its own: the load is shared by every request waiting for the key.</summary>
    public ValueTask<ApiKeyIdentity?> FindAsync(ApiKeyHash keyHash, CancellationToken cancellationToken) =>
        _cache.GetOrLoadAsync(keyHash, scopes, static (hash, scopes) => scopes.QueryAsync(LookupQuery, hash.ToBytes()), cancellationToken);

    /// <summary>Call after the change is committed.</summary>
    /// <summary>A key this node holds now, without a lookup on a miss.</summary>
    public bool TryGetCached(ApiKeyHash keyHash, out ApiKeyIdentity? key) => _cache.TryGetCached(keyHash, out key);

    public void Evict(IEnumerable<byte[]> keyHashes) => _cache.Revoke(keyHashes.Select(h => ApiKeyHash.From(h)));

    void IRevocationSubscriber.OnRevoked(RevocationNotice notice)
    {
        if (notice is { Scope: RevocationScope.ApiKey, KeyHash: { } hash })
            Evict([hash]);
    }

    void IRevocationSubscriber.Clear() => _cache.Clear();
}
