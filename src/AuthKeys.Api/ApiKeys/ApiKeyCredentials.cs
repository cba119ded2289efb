using AuthKeys.Api.Accounts;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.ApiKeys;

/// <summary>An account's keys, for the account's erasure and deactivation.</summary>
internal sealed class ApiKeyCredentials(AppDbContext db, ApiKeyCache cache) : IAccountCredentials
{
    public async Task<Action> CollectAsync(Guid userId, CancellationToken cancellationToken)
    {
        var keyHashes = await db.ApiKeys.Where(k => k.UserId == userId).Select(k => k.KeyHash).ToListAsync(cancellationToken);
        return () => cache.Evict(keyHashes);
    }
}
