using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Tokens;

/// <summary>
/// Access tokens as RFC 9068 shapes them (<c>typ: at+jwt</c>, <c>kid</c>, <c>iss</c>, <c>aud</c>,
/// <c>exp</c>, <c>iat</c>, <c>jti</c>, <c>client_id</c>), signed with the ring's current key, and
/// the validation every reader of them shares: the JWT scheme, introspection, revocation.
/// </summary>
public sealed class AccessTokens(SigningKeyRing ring, IOptions<TokenOptions> options, TimeProvider time)
{
    public const string Type = "at+jwt";

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };

    private TokenValidationParameters? _readParameters;

    public TokenOptions Settings => options.Value;

    /// <summary>A token for <paramref name="subject"/> living <paramref name="lifetime"/>, with <paramref name="claims"/> besides the registered ones.</summary>
    public string Mint(string subject, string clientId, TimeSpan lifetime, Dictionary<string, object> claims)
    {
        var now = time.GetUtcNow().UtcDateTime;
        claims[JwtRegisteredClaimNames.Sub] = subject;
        claims[JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString();
        claims[AuthClaims.ClientId] = clientId;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = Type,
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = ring.SigningCredentials,
            Claims = claims,
        });
    }

    /// <summary>
    /// Signature under a key the ring holds (ES256 by <c>kid</c>, or HS256 under the shared secret),
    /// <c>typ</c>, issuer, audience and lifetime on the service's clock; no other algorithm.
    /// </summary>
    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = options.Value.Issuer,
        ValidAudience = options.Value.Audience,
        IssuerSigningKeyResolver = (_, _, kid, _) => ring.VerificationKeys(kid),
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.HmacSha256],
        ValidTypes = [Type],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = ClockSkew,
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } exp && now < exp + ClockSkew && (notBefore is not { } nbf || now >= nbf - ClockSkew);
        },
    };

    /// <summary>The token's claims when it validates now; else null, whatever is wrong with it.</summary>
    public async Task<(ClaimsIdentity Identity, JsonWebToken Token)?> ReadAsync(string token)
    {
        if (token.Length > MaxLength)
            return null;
        // Built once: every key it needs comes from the ring at the moment of the call.
        var result = await _handler.ValidateTokenAsync(token, _readParameters ??= ValidationParameters());
        return result.IsValid ? (result.ClaimsIdentity, (JsonWebToken)result.SecurityToken) : null;
    }

    /// <summary>Far beyond any token this service issues.</summary>
    public const int MaxLength = 8192;
}
