using System.Collections.Concurrent;
using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Caching;

namespace AuthKeys.Api.Infrastructure.Authentication;

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
public sealed class ValidatedTokenCache
{
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, ValidatedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ValidatedToken>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly TimeProvider _time;

    public ValidatedTokenCache(TimeProvider time)
    {
        _time = time;
        _bySpan = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool TryGet(ReadOnlySpan<char> token, out ValidatedToken validated) =>
        _bySpan.TryGetValue(token, out validated!);

    public void Add(string token, ValidatedToken validated)
    {
        BoundedDictionary.MakeRoom(_tokens, Capacity, _time.GetUtcNow().UtcDateTime, static (known, now) => known.ExpiresUtc <= now);
        _tokens[token] = validated;
    }
}
