using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace AuthKeys.Api.OAuth;

/// <summary>
/// RFC 6749 §5.2's error answer, the one exception to problem details: OAuth clients read this shape.
/// <c>error</c> is one of <c>invalid_request</c>, <c>invalid_client</c>, <c>unsupported_grant_type</c>,
/// <c>invalid_scope</c>, <c>rate_limited</c>, <c>usage_exceeded</c>.
/// </summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription)
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";
    public const string RateLimited = "rate_limited";
    public const string UsageExceeded = "usage_exceeded";
}

/// <summary>
/// Client credentials (RFC 6749 §4.4), form-encoded. The client authenticates with HTTP Basic
/// (<c>client_secret_basic</c>) or with <c>client_id</c> and <c>client_secret</c> here
/// (<c>client_secret_post</c>), never both: the client id is the API key's id, the secret the key.
/// </summary>
/// <param name="GrantType">Always <c>client_credentials</c>.</param>
/// <param name="Scope">Space-separated scopes, a subset of the key's; all of them when left out.</param>
/// <param name="ClientId">The API key's id, for client_secret_post.</param>
/// <param name="ClientSecret">The API key (<c>sk_…</c>), for client_secret_post.</param>
public sealed record ClientCredentialsRequest(
    [property: JsonPropertyName("grant_type"), Required, MaxLength(OAuthForm.MaxFieldLength)] string GrantType,
    [property: JsonPropertyName("scope"), MaxLength(OAuthForm.MaxFieldLength)] string? Scope,
    [property: JsonPropertyName("client_id"), MaxLength(OAuthForm.MaxFieldLength)] string? ClientId,
    [property: JsonPropertyName("client_secret"), MaxLength(OAuthForm.MaxFieldLength)] string? ClientSecret);

/// <summary>A service's access token: no refresh token; ask again when it expires.</summary>
/// <param name="AccessToken">The token (a JWT: ES256, <c>typ: at+jwt</c>).</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Seconds until it expires.</param>
/// <param name="Scope">What it may do, space-separated; left out when the key has no scopes.</param>
public sealed record ServiceTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope);

/// <summary>
/// A token to introspect (RFC 7662) or revoke (RFC 7009), form-encoded: an access token, a refresh
/// token (<c>rt_…</c>) or an API key (<c>sk_…</c>). Introspection authenticates its caller with an
/// API key carrying <c>tokens:introspect</c>: HTTP Basic, <c>client_id</c>/<c>client_secret</c> here,
/// or <c>x-api-key</c>.
/// </summary>
/// <param name="Token">The token, refresh token or API key.</param>
/// <param name="TokenTypeHint">access_token, refresh_token or api_key; only a hint, the token's own form decides.</param>
/// <param name="ClientId">Introspection: your API key's id, for client_secret_post.</param>
/// <param name="ClientSecret">Introspection: your API key (carrying tokens:introspect), for client_secret_post.</param>
public sealed record TokenRequest(
    [property: JsonPropertyName("token"), Required, MaxLength(OAuthForm.MaxFieldLength)] string Token,
    [property: JsonPropertyName("token_type_hint"), MaxLength(OAuthForm.MaxFieldLength)] string? TokenTypeHint,
    [property: JsonPropertyName("client_id"), MaxLength(OAuthForm.MaxFieldLength)] string? ClientId,
    [property: JsonPropertyName("client_secret"), MaxLength(OAuthForm.MaxFieldLength)] string? ClientSecret);

/// <summary>
/// What introspection knows of a token (RFC 7662). Inactive (unknown, malformed, expired, revoked,
/// its session ended, another owner's) is exactly <c>{"active":false}</c>; fields that do not apply
/// to a kind of token are left out.
/// </summary>
/// <param name="Active">Whether the credential would be accepted now.</param>
/// <param name="TokenType">access_token, refresh_token or api_key.</param>
/// <param name="Sub">The account the credential belongs to.</param>
/// <param name="ClientId">An API key's id (its own, or the one a service's token was minted for); <c>authkeys</c> for a person's tokens.</param>
/// <param name="Scope">What it may do, space-separated.</param>
/// <param name="Exp">When it expires, in seconds since the epoch; left out for a key that never does.</param>
/// <param name="Iat">When it was issued, in seconds since the epoch.</param>
/// <param name="Iss">The issuer.</param>
/// <param name="Aud">The audience of an access token.</param>
/// <param name="Sid">A person's session.</param>
public sealed record IntrospectionResponse(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("token_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenType = null,
    [property: JsonPropertyName("sub"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sub = null,
    [property: JsonPropertyName("client_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope = null,
    [property: JsonPropertyName("exp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Exp = null,
    [property: JsonPropertyName("iat"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Iat = null,
    [property: JsonPropertyName("iss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Iss = null,
    [property: JsonPropertyName("aud"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Aud = null,
    [property: JsonPropertyName("sid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sid = null)
{
    public static readonly IntrospectionResponse Inactive = new(false);

    public const string AccessToken = "access_token";
    public const string RefreshToken = "refresh_token";
    public const string ApiKey = "api_key";
}
