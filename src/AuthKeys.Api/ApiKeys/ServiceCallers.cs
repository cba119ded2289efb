using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Data;
using BitFaster.Caching.Lru;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// A service's access token checked against its key on every use, through the same cache as the
/// key itself: revoking, expiring or rolling the key ends its tokens at once, on every node that
/// hears the notice. Only the key's hash is looked up by id, once: it never changes.
/// </summary>
internal sealed class ServiceCallers(ApiKeyCache keys, IServiceScopeFactory scopes, TimeProvider time) : IServiceCallers
{
    private static readonly Func<AppDbContext, Guid, CancellationToken, Task<byte[]?>> HashQuery =
        EF.CompileAsyncQuery((AppDbContext db, Guid keyId, CancellationToken _) =>
            db.ApiKeys.Where(k => k.Id == keyId).Select(k => k.KeyHash).SingleOrDefault());

    private readonly ConcurrentLru<Guid, ApiKeyHash> _hashes = new(10_000);

    public async ValueTask<ClaimsPrincipal?> AuthenticateAsync(Guid keyId, Guid ownerId, string? scope, CancellationToken cancellationToken)
    {
        if (!_hashes.TryGet(keyId, out var hash))
        {
            if (await scopes.QueryAsync(HashQuery, keyId) is not { } stored)
                return null;
            hash = ApiKeyHash.From(stored);
            _hashes.AddOrUpdate(keyId, hash);
        }
        var key = await keys.FindAsync(hash, cancellationToken);
        if (key is null || key.KeyId != keyId || key.UserId != ownerId || !key.IsValidAt(time.GetUtcNow()))
            return null;
        return key.CreatePrincipal(scope, AuthSchemes.ServiceToken);
    }
}
