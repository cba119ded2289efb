using System.Security.Claims;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Infrastructure.Authentication;

namespace AuthKeys.Api.Tests.Accounts.Sessions;

public sealed class ValidatedTokenCacheTests
{
    private static readonly ValidatedToken Known = new(new ClaimsPrincipal(), Guid.NewGuid(), null, Guid.NewGuid(), null, "kid", DateTime.UtcNow.AddMinutes(15));

    [Fact]
    public void MoreLiveTokensThanItHoldsCostOnlyTheColdestAFullValidation()
    {
        var cache = new ValidatedTokenCache();
        var hot = Enumerable.Range(0, 100).Select(i => $"hot.token.{i}").ToArray();
        foreach (var token in hot)
            cache.Add(token, Known);

        var hotMisses = 0;
        for (var round = 0; round < 10; round++)
        {
            foreach (var token in hot)
            {
                if (!cache.TryGet(token.AsSpan(), out _))
                {
                    hotMisses++;
                    cache.Add(token, Known); // as the JWT handler does after a full validation
                }
            }
            for (var i = 0; i < ValidatedTokenCache.Capacity; i++)
                cache.Add($"one-off.{round}.{i}", Known);
        }

        // Clearing everything when full would lose every hot token in every round: 900 misses.
        Assert.InRange(hotMisses, 0, 20);
        Assert.True(cache.TryGet("hot.token.7".AsSpan(), out var found));
        Assert.Same(Known, found);
        Assert.False(cache.TryGet("never.seen".AsSpan(), out _));
    }
}
