using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>
/// The JWT bearer scheme: signature, issuer, audience and lifetime as usual, then the session must
/// still be active; a token seen before skips the parsing and the signature, never the session check.
/// </summary>
internal sealed class ConfigureJwtBearer(IOptions<AuthOptions> auth, TimeProvider time, SessionStateCache sessions, ValidatedTokenCache validatedTokens, AuthKeysMetrics metrics)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != AuthSchemes.Jwt)
            return;
        Configure(options);
    }

    public void Configure(JwtBearerOptions options)
    {
        var settings = auth.Value;
        options.MapInboundClaims = false;
        options.SaveToken = false;
        options.TimeProvider = time;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = new SymmetricSecurityKey(settings.JwtSecret),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = ClockSkew,
            NameClaimType = AuthClaims.Subject,
            // Our TimeProvider, not the wall clock, so expiry is testable and consistent.
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } exp && now < exp + ClockSkew && (notBefore is not { } nbf || now >= nbf - ClockSkew);
            },
        };
        options.Events = new JwtBearerEvents
        {
            // A token seen before skips parsing and signature checks, but never the lifetime or session checks.
            OnMessageReceived = async context =>
            {
                var header = context.Request.Headers.Authorization.ToString();
                if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                    return;
                var cached = validatedTokens.TryGet(header.AsSpan(7).Trim(), out var known);
                metrics.CacheLookup(AuthKeysMetrics.CacheName.AccessTokens, cached);
                if (!cached || time.GetUtcNow().UtcDateTime >= known.ExpiresUtc + ClockSkew)
                    return; // full validation follows, with its own error details

                if (await sessions.IsActiveAsync(known.SessionId, context.HttpContext.RequestAborted))
                {
                    context.Principal = known.Principal;
                    context.Success();
                    metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Success);
                }
                else
                {
                    context.Fail("The session has ended.");
                    RequestLog.Refused(context.HttpContext, "session_ended");
                    metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Revoked);
                }
            },
            OnTokenValidated = async context =>
            {
                var sessionId = context.Principal?.FindFirst(AuthClaims.SessionId)?.Value;
                if (!Guid.TryParse(sessionId, out var id) || context.Principal?.FindFirst(AuthClaims.Subject) is null)
                {
                    context.Fail("The token has no session.");
                    RequestLog.Refused(context.HttpContext, "token_invalid");
                    metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Invalid);
                    return;
                }
                if (!await sessions.IsActiveAsync(id, context.HttpContext.RequestAborted))
                {
                    context.Fail("The session has ended.");
                    RequestLog.Refused(context.HttpContext, "session_ended");
                    metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Revoked);
                    return;
                }
                if (context.SecurityToken is JsonWebToken token)
                    validatedTokens.Add(token.EncodedToken, new ValidatedToken(context.Principal, id, token.ValidTo));
                metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Success);
            },
            OnAuthenticationFailed = context =>
            {
                RequestLog.Refused(context.HttpContext, context.Exception is SecurityTokenExpiredException ? "token_expired" : "token_invalid");
                metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, context.Exception is SecurityTokenExpiredException
                    ? AuthKeysMetrics.AuthOutcome.Expired
                    : AuthKeysMetrics.AuthOutcome.Invalid);
                return Task.CompletedTask;
            },
        };
    }
}
