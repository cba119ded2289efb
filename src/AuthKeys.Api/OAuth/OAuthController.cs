using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using AuthKeys.Api.Tokens;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace AuthKeys.Api.OAuth;

/// <summary>The OAuth endpoints: client credentials for services, introspection and revocation for anyone holding a token.</summary>
[ApiController]
[Route("oauth")]
[Tags("OAuth")]
[Produces("application/json")]
public sealed class OAuthController(OAuthClients clients, AccessTokens accessTokens) : ControllerBase
{
    public const string IntrospectScope = "tokens:introspect";

    /// <summary>
    /// Trade an API key for a short-lived access token (client credentials, RFC 6749 §4.4): the
    /// key's id as client id, the key as client secret. Counts as a use of the key. The token acts
    /// as the key on AuthKeys' own routes until it expires or the key stops working, and any
    /// service configured with this issuer's metadata accepts it.
    /// </summary>
    [HttpPost("token")]
    [FormBody(typeof(ClientCredentialsRequest))]
    [ProducesResponseType<ServiceTokenResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<OAuthError>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<OAuthError>(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType<OAuthError>(StatusCodes.Status429TooManyRequests)]
    public async Task<IActionResult> RequestServiceToken(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        var (form, malformed) = await OAuthForm.ReadAsync(Request, cancellationToken);
        if (form is null)
            return BadRequest(malformed!);
        var (client, unauthenticated) = PresentedClient.Read(Request, form, acceptsApiKeyHeader: false);
        if (client is null)
            return Refuse(unauthenticated!);
        if (client.ClientId is null)
            return OAuthClients.InvalidClient("The client id (the API key's id) is required.");
        if (form["grant_type"] is not { } grantType)
            return BadRequest(new OAuthError(OAuthError.InvalidRequest, "grant_type is required."));
        if (grantType != "client_credentials")
            return Refuse(new OAuthError(OAuthError.UnsupportedGrantType, "Only client_credentials is supported."));
        var requested = form["scope"]?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

        var (key, refusal) = await clients.AuthenticateAsync(HttpContext, client, requested, missingScopeIsInvalidClient: false, cancellationToken);
        if (key is null)
            return refusal!;
        var scope = requested is { Count: > 0 } ? string.Join(' ', requested) : key.Scopes is { Count: > 0 } all ? string.Join(' ', all) : null;
        var claims = new Dictionary<string, object>();
        if (scope is not null)
            claims[AuthClaims.Scope] = scope;
        var lifetime = accessTokens.Settings.ServiceTokenLifetime;
        var token = accessTokens.Mint(key.OwnerId!.Value.ToString(), key.KeyId!.Value.ToString(), lifetime, claims);
        return Ok(new ServiceTokenResponse(token, "Bearer", (int)lifetime.TotalSeconds, scope));
    }

    /// <summary>
    /// Whether a token, refresh token or API key of your account is alive, and what it is (RFC 7662).
    /// The caller authenticates with an API key carrying <c>tokens:introspect</c>. Anything not
    /// alive, or not your account's, is exactly <c>{"active":false}</c>.
    /// </summary>
    [HttpPost("introspect")]
    [FormBody(typeof(TokenRequest))]
    [ProducesResponseType<IntrospectionResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<OAuthError>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<OAuthError>(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType<OAuthError>(StatusCodes.Status429TooManyRequests)]
    public async Task<IActionResult> IntrospectToken([FromServices] Introspection introspection, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        var (form, malformed) = await OAuthForm.ReadAsync(Request, cancellationToken);
        if (form is null)
            return BadRequest(malformed!);
        var (client, unauthenticated) = PresentedClient.Read(Request, form, acceptsApiKeyHeader: true);
        if (client is null)
            return Refuse(unauthenticated!);
        if (form["token"] is not { } token)
            return BadRequest(new OAuthError(OAuthError.InvalidRequest, "token is required."));
        var (caller, refusal) = await clients.AuthenticateAsync(HttpContext, client, [IntrospectScope], missingScopeIsInvalidClient: true, cancellationToken);
        if (caller is null)
            return refusal!;
        return Ok(await introspection.DescribeAsync(token, caller.OwnerId!.Value, cancellationToken));
    }

    /// <summary>
    /// End a credential (RFC 7009), whoever you are: a refresh or access token ends its session,
    /// an API key is revoked (recorded as <c>key.revoked</c>, reason <c>revoked_by_holder</c>).
    /// Always 200, for unknown tokens too. A service's token ends with its key: revoke the key.
    /// </summary>
    [HttpPost("revoke")]
    [FormBody(typeof(TokenRequest))]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType<OAuthError>(StatusCodes.Status400BadRequest)]
    public async Task<IActionResult> RevokeToken([FromServices] SessionCredentials sessions, [FromServices] ApiKeyService keys, CancellationToken cancellationToken)
    {
        var (form, malformed) = await OAuthForm.ReadAsync(Request, cancellationToken);
        if (form is null)
            return BadRequest(malformed!);
        if (form["token"] is not { } token)
            return BadRequest(new OAuthError(OAuthError.InvalidRequest, "token is required."));
        var origin = RequestOrigin.Of(HttpContext);
        if (token.StartsWith(ApiKeyFormat.Marker, StringComparison.Ordinal))
            await keys.RevokeByHolderAsync(token, origin, cancellationToken);
        else if (token.StartsWith(RefreshTokens.Marker, StringComparison.Ordinal))
        {
            if (await sessions.SessionOfAsync(token, cancellationToken) is { } session)
                await sessions.EndAsync(session, origin, cancellationToken);
        }
        else if (await accessTokens.ReadAsync(token) is var (identity, _)
            && Guid.TryParse(identity.FindFirst(AuthClaims.SessionId)?.Value, out var session))
            await sessions.EndAsync(session, origin, cancellationToken);
        return Ok();
    }

    private static OAuthErrorResult Refuse(OAuthError error) => new(
        error.Error == OAuthError.InvalidClient ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest, error.Error, error.ErrorDescription);

    private static OAuthErrorResult BadRequest(OAuthError error) => Refuse(error);
}
