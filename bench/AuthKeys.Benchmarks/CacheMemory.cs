using System.Security.Cryptography;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Infrastructure.Caching;

namespace AuthKeys.Benchmarks;

/// <summary>
/// Bytes per cached key, in-process: a key cache built as the service builds it, filled with
/// <c>count</c> keys of one owner with two scopes, each loaded with fresh strings as a query
/// returns them; the live heap after a full collection, before and after, over the count.
/// bench/scale.sh measures the same in the running service.
/// </summary>
public static class CacheMemory
{
    public static async Task<int> RunAsync(int count)
    {
        var cache = new RevocableCache<UInt128, ApiKeyIdentity>(TimeSpan.FromMinutes(5), count);
        var owner = Guid.NewGuid();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var hash = new byte[32];
        for (var i = 0; i < count; i++)
        {
            RandomNumberGenerator.Fill(hash);
            await cache.GetOrLoadAsync(ApiKeyHash.From(hash).CacheKey, owner, static (_, owner) => Task.FromResult<ApiKeyIdentity?>(
                new ApiKeyIdentity(Guid.NewGuid(), owner, string.Concat("owner", "@example.com"), null, true,
                    [string.Concat("orders", ":read"), string.Concat("orders", ":write")], false, null, null)), CancellationToken.None);
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"{count} keys cached: {(after - before) / (double)count:F0} bytes per key ({(after - before) / 1048576.0:F1} MB of heap)");
        GC.KeepAlive(cache);
        return 0;
    }
}
