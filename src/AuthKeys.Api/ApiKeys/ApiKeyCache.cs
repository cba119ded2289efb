using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.ApiKeys;

/// <summary>What authenticating with a key needs to know, cached by the key's hash.</summary>
public sealed record ApiKeyIdentity(Guid KeyId, Guid UserId, string Email, DateTimeOffset? ExpiresAt, bool IsUsable);

/// <summary>
/// Key lookups by SHA-256: one indexed query on a miss, memory afterwards. Revocation and owner
/// deactivation evict entries after committing, so the next request goes back to the database.
/// </summary>
public sealed class ApiKeyCache : IDisposable
{
    private static readonly Func<AppDbContext, byte[], CancellationToken, Task<ApiKeyIdentity?>> LookupQuery =
        EF.CompileAsyncQuery((AppDbContext db, byte[] hash, CancellationToken _) =>
            db.ApiKeys.AsNoTracking()
                .Where(k => k.KeyHash == hash)
                .Select(k => new ApiKeyIdentity(k.Id, k.UserId, k.User.Email, k.ExpiresAt, k.RevokedAt == null && k.IsActive && k.User.IsActive))
                .SingleOrDefault());

    private readonly RevocableCache<string, ApiKeyIdentity> _cache = new(TimeSpan.FromSeconds(60), sizeLimit: 200_000);

    public ValueTask<ApiKeyIdentity?> FindAsync(byte[] keyHash, AppDbContext db, CancellationToken cancellationToken) =>
        _cache.GetOrLoadAsync(Convert.ToHexString(keyHash), (db, keyHash), static (_, state, ct) => LookupQuery(state.db, state.keyHash, ct), cancellationToken);

    /// <summary>Call after the change is committed.</summary>
    public void Evict(IEnumerable<byte[]> keyHashes) => _cache.Revoke(keyHashes.Select(Convert.ToHexString));

    public void Dispose() => _cache.Dispose();
}
