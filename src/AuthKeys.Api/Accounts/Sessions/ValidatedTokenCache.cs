using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using BitFaster.Caching;
using BitFaster.Caching.Lru;
using Microsoft.IdentityModel.JsonWebTokens;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>
/// An access token that passed full validation: signature, algorithm, type, issuer, audience,
/// lifetime. A person's token names its session; a service's its key (<c>client_id</c>) and the
/// scope it was minted with. Every request presenting the token gets the same principal: treat it
/// as read-only (a claims transformation, if one is ever added, must clone it).
/// </summary>
public sealed record ValidatedToken(ClaimsPrincipal Principal, Guid? SessionId, Guid? KeyId, Guid OwnerId, string? Scope, string Kid, DateTime ExpiresUtc)
{
    /// <summary>Null for a token that is neither a person's (no <c>sid</c>) nor a service's (no key id in <c>client_id</c>).</summary>
    public static ValidatedToken? From(ClaimsPrincipal principal, JsonWebToken token)
    {
        if (!Guid.TryParse(principal.FindFirst(AuthClaims.Subject)?.Value, out var owner))
            return null;
        if (principal.FindFirst(AuthClaims.SessionId) is { } sid)
            return Guid.TryParse(sid.Value, out var session) ? new(principal, session, null, owner, null, token.Kid, token.ValidTo) : null;
        return Guid.TryParse(principal.FindFirst(AuthClaims.ClientId)?.Value, out var key)
            ? new(principal, null, key, owner, principal.FindFirst(AuthClaims.Scope)?.Value, token.Kid, token.ValidTo)
            : null;
    }
}

/// <summary>
/// Remembers access tokens that passed full validation, so a client presenting the same token
/// again costs one lookup instead of a JSON parse and a signature check. Only the exact same string hits;
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
