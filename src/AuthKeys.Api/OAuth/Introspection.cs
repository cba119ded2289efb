using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Tokens;

namespace AuthKeys.Api.OAuth;

/// <summary>
/// What a credential is, for its owner's resource servers: the same checks as using it (a token's
/// session or key must be alive, a key usable and unexpired), but no use is counted and nothing is
/// said about anyone else's.
/// </summary>
public sealed class Introspection(
    AccessTokens accessTokens, SessionStateCache sessions, IServiceCallers services, SessionCredentials refreshTokens, ApiKeyCache keys, TimeProvider time)
{
    public async Task<IntrospectionResponse> DescribeAsync(string token, Guid ownerId, CancellationToken cancellationToken)
    {
        var answer = token.StartsWith(ApiKeyFormat.Marker, StringComparison.Ordinal) ? await DescribeKeyAsync(token, cancellationToken)
            : token.StartsWith(RefreshTokens.Marker, StringComparison.Ordinal) ? await DescribeRefreshTokenAsync(token, cancellationToken)
            : await DescribeAccessTokenAsync(token, cancellationToken);
        return answer is { Active: true } && answer.Sub == ownerId.ToString() ? answer : IntrospectionResponse.Inactive;
    }

    private async Task<IntrospectionResponse?> DescribeKeyAsync(string secret, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsWellFormed(secret))
            return null;
        var key = await keys.FindAsync(ApiKeyHash.From(ApiKeyFormat.Hash(secret)), cancellationToken);
        if (key is null || !key.IsValidAt(time.GetUtcNow()))
            return null;
        return new IntrospectionResponse(true, IntrospectionResponse.ApiKey, key.UserId.ToString(), key.KeyId.ToString(), key.Scope,
            key.ExpiresAt?.ToUnixTimeSeconds());
    }

    private async Task<IntrospectionResponse?> DescribeRefreshTokenAsync(string token, CancellationToken cancellationToken) =>
        await refreshTokens.FindLiveAsync(token, cancellationToken) is { } live
            ? new IntrospectionResponse(true, IntrospectionResponse.RefreshToken, live.UserId.ToString(), AccessTokenIssuer.FirstPartyClient,
                Exp: live.ExpiresAt.ToUnixTimeSeconds(), Iat: live.IssuedAt.ToUnixTimeSeconds(), Iss: accessTokens.Settings.Issuer, Sid: live.SessionId.ToString())
            : null;

    private async Task<IntrospectionResponse?> DescribeAccessTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (await accessTokens.ReadAsync(token) is not var (identity, jwt))
            return null;
        var subject = identity.FindFirst(AuthClaims.Subject)?.Value;
        var sessionId = identity.FindFirst(AuthClaims.SessionId)?.Value;
        var clientId = identity.FindFirst(AuthClaims.ClientId)?.Value;
        var scope = identity.FindFirst(AuthClaims.Scope)?.Value;
        if (!Guid.TryParse(subject, out var owner))
            return null;
        var alive = sessionId is not null
            ? Guid.TryParse(sessionId, out var session) && await sessions.IsActiveAsync(session, cancellationToken)
            : Guid.TryParse(clientId, out var keyId) && await services.AuthenticateAsync(keyId, owner, scope, cancellationToken) is not null;
        if (!alive)
            return null;
        return new IntrospectionResponse(true, IntrospectionResponse.AccessToken, subject, clientId, scope,
            new DateTimeOffset(jwt.ValidTo).ToUnixTimeSeconds(), new DateTimeOffset(jwt.IssuedAt).ToUnixTimeSeconds(), jwt.Issuer, jwt.Audiences.FirstOrDefault(), sessionId);
    }
}
