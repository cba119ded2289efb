using System.Security.Claims;
using BitFaster.Caching;
using BitFaster.Caching.Lru;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>
/// An access token that passed full validation: signature, algorithm, issuer, audience, lifetime.
/// Every request presenting the token gets the same principal: treat it as read-only (a claims
/// transformation, if one is ever added, must clone it).
/// </summary>
public sealed record ValidatedToken(ClaimsPrincipal Principal, Guid SessionId, DateTime ExpiresUtc);

/// <summary>
/// Remembers access tokens that passed full validation, so a client presenting the same token
/// again costs one lookup instead of a JSON parse and an HMAC. Only the exact same string hits;
/// lifetime and session revocation are still checked on every request.
/// </summary>
/// <remarks>
/// At capacity the least recently used tokens make room (BitFaster.Caching's ConcurrentLru), so more
/// live tokens than it holds cost the coldest ones a full validation, not every one; an expired
/// token found here is validated in full again (and refused) by the caller.
/// </remarks>
public sealed class ValidatedTokenCache
{
    public const int Capacity = 10_000;

    private readonly ConcurrentLru<string, ValidatedToken> _tokens = new(Capacity, new FavorWarmPartition(Capacity), StringComparer.Ordinal);
    private readonly IAlternateLookup<ReadOnlySpan<char>, string, ValidatedToken> _bySpan;

    public ValidatedTokenCache() => _bySpan = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>A lookup by the header's span: no string is allocated for a token seen before.</summary>
    public bool TryGet(ReadOnlySpan<char> token, out ValidatedToken validated) =>
        _bySpan.TryGet(token, out validated!);

    public void Add(string token, ValidatedToken validated) => _tokens.AddOrUpdate(token, validated);
}
