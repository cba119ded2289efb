using System.Text.Json.Serialization;
using AuthKeys.Api.Infrastructure.OpenApi;
using AuthKeys.Api.Tokens;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.OAuth;

/// <summary>
/// What a consumer's <c>AddJwtBearer(o => o.Authority = …)</c> reads: the issuer's metadata
/// (OpenID Connect discovery and RFC 8414 name the same document) and its public keys.
/// </summary>
[ApiController]
[Route(".well-known")]
[Tags("Token issuer")]
[Produces("application/json")]
public sealed class WellKnownController(SigningKeyRing keys, IOptions<TokenOptions> options) : ControllerBase
{
    /// <summary>The issuer's metadata, for OpenID Connect clients (stock JwtBearer reads this one).</summary>
    [HttpGet("openid-configuration")]
    [NoDatabase]
    [ProducesResponseType<IssuerMetadata>(StatusCodes.Status200OK)]
    public IssuerMetadata OpenIdConfiguration() => Metadata();

    /// <summary>The issuer's metadata, for OAuth clients (RFC 8414): the same document.</summary>
    [HttpGet("oauth-authorization-server")]
    [NoDatabase]
    [ProducesResponseType<IssuerMetadata>(StatusCodes.Status200OK)]
    public IssuerMetadata AuthorizationServerMetadata() => Metadata();

    /// <summary>
    /// The public keys that verify access tokens (ES256): the one signing now, the next one a day
    /// before it signs, and retired ones until their last token has expired. Never a private part;
    /// empty while the service signs with a shared secret (HS256).
    /// </summary>
    [HttpGet("jwks.json")]
    [NoDatabase]
    [ProducesResponseType<JsonWebKeySetResponse>(StatusCodes.Status200OK)]
    public JsonWebKeySetResponse JsonWebKeySet()
    {
        Response.Headers.CacheControl = "public, max-age=300";
        return new([.. keys.Published.Select(PublicJwk.From)]);
    }

    private IssuerMetadata Metadata()
    {
        Response.Headers.CacheControl = "public, max-age=3600";
        var settings = options.Value;
        var baseUrl = settings.PublicUrl?.AbsoluteUri.TrimEnd('/') ?? $"{Request.Scheme}://{Request.Host}{Request.PathBase}";
        string[] clientAuth = ["client_secret_basic", "client_secret_post"];
        return new IssuerMetadata(
            settings.Issuer, $"{baseUrl}/.well-known/jwks.json", $"{baseUrl}/oauth/token", $"{baseUrl}/oauth/introspect", $"{baseUrl}/oauth/revoke",
            ["client_credentials"], clientAuth, clientAuth, ["none"], [TokenOptions.Es256], ["public"]);
    }
}

/// <summary>The issuer's metadata (OpenID Connect Discovery 1.0, RFC 8414).</summary>
public sealed record IssuerMetadata(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("introspection_endpoint")] string IntrospectionEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("introspection_endpoint_auth_methods_supported")] IReadOnlyList<string> IntrospectionEndpointAuthMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_methods_supported")] IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> IdTokenSigningAlgValuesSupported,
    [property: JsonPropertyName("subject_types_supported")] IReadOnlyList<string> SubjectTypesSupported);

/// <summary>A JSON Web Key Set (RFC 7517 §5).</summary>
public sealed record JsonWebKeySetResponse([property: JsonPropertyName("keys")] IReadOnlyList<PublicJwk> Keys);

/// <summary>One public P-256 key (RFC 7518 §6.2.1): the coordinates, no private part.</summary>
public sealed record PublicJwk(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("alg")] string Alg)
{
    /// <summary>Through IdentityModel's converter, which writes the coordinates as RFC 7518 requires (padded to the curve's size).</summary>
    public static PublicJwk From(ECDsaSecurityKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key);
        return new PublicJwk(jwk.Kty, jwk.Crv, jwk.X, jwk.Y, key.KeyId, "sig", TokenOptions.Es256);
    }
}
