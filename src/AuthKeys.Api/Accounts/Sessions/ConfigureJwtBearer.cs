using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>
/// The bearer schemes: <see cref="AuthSchemes.Jwt"/> for a person's token, <see cref="AuthSchemes.ServiceToken"/>
/// for a service's, <see cref="AuthSchemes.AnyBearer"/> for either. Signature, type, issuer,
/// audience and lifetime as <see cref="AccessTokens"/> checks them, then what stands behind the
/// token must still be alive: a person's session, a service's key. A token seen before skips the
/// parsing and the signature, never those checks.
/// </summary>
internal sealed class ConfigureJwtBearer(
    AccessTokens accessTokens, SigningKeyRing keys, TimeProvider time, SessionStateCache sessions, IServiceCallers services,
    ValidatedTokenCache validatedTokens, AuthKeysMetrics metrics)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name is AuthSchemes.Jwt or AuthSchemes.ServiceToken or AuthSchemes.AnyBearer)
            Configure(options, acceptsPeople: name != AuthSchemes.ServiceToken, acceptsServices: name != AuthSchemes.Jwt);
    }

    public void Configure(JwtBearerOptions options) => Configure(AuthSchemes.Jwt, options);

    private void Configure(JwtBearerOptions options, bool acceptsPeople, bool acceptsServices)
    {
        options.MapInboundClaims = false;
        options.SaveToken = false;
        options.TimeProvider = time;
        options.TokenValidationParameters = accessTokens.ValidationParameters();
        options.TokenValidationParameters.NameClaimType = AuthClaims.Subject;

        async Task<ClaimsPrincipal?> StillAliveAsync(TokenCheck context, ValidatedToken token)
        {
            if (token.SessionId is { } sessionId)
            {
                if (!acceptsPeople)
                    return Refuse(context, "A person's token does not act for a service.", "token_wrong_kind", AuthKeysMetrics.AuthOutcome.Invalid);
                if (!await sessions.IsActiveAsync(sessionId, context.Http.RequestAborted))
                    return Refuse(context, "The session has ended.", "session_ended", AuthKeysMetrics.AuthOutcome.Revoked);
                return token.Principal;
            }
            if (!acceptsServices)
                return Refuse(context, "A service's token does not act for an account.", "token_wrong_kind", AuthKeysMetrics.AuthOutcome.Invalid);
            var caller = await services.AuthenticateAsync(token.KeyId!.Value, token.OwnerId, token.Scope, context.Http.RequestAborted);
            return caller ?? Refuse(context, "The token's API key is revoked, expired or gone.", "key_revoked", AuthKeysMetrics.AuthOutcome.Revoked);
        }

        ClaimsPrincipal? Refuse(TokenCheck context, string reason, string logReason, AuthKeysMetrics.AuthOutcome outcome)
        {
            context.Fail(reason);
            RequestLog.Refused(context.Http, logReason);
            metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, outcome);
            return null;
        }

        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = async context =>
            {
                var header = context.Request.Headers.Authorization.ToString();
                if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                    return;
                var cached = validatedTokens.TryGet(header.AsSpan(7).Trim(), out var known);
                metrics.CacheLookup(AuthKeysMetrics.CacheName.AccessTokens, cached);
                // Expired, or signed under a key withdrawn since: full validation follows, with its own error details.
                if (!cached || time.GetUtcNow().UtcDateTime >= known.ExpiresUtc + AccessTokens.ClockSkew || !keys.Verifies(known.Kid))
                    return;
                if (await StillAliveAsync(new(context.HttpContext, context.Fail), known) is { } principal)
                {
                    context.Principal = principal;
                    context.Success();
                    metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Success);
                }
            },
            OnTokenValidated = async context =>
            {
                if (context.SecurityToken is not JsonWebToken token || ValidatedToken.From(context.Principal!, token) is not { } validated)
                {
                    Refuse(new(context.HttpContext, context.Fail), "The token has no session or key.", "token_invalid", AuthKeysMetrics.AuthOutcome.Invalid);
                    return;
                }
                if (await StillAliveAsync(new(context.HttpContext, context.Fail), validated) is not { } principal)
                    return;
                context.Principal = principal;
                validatedTokens.Add(token.EncodedToken, validated);
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

    /// <summary>What the two events share of their contexts: the request, and how to fail it.</summary>
    private readonly record struct TokenCheck(HttpContext Http, Action<string> Fail);
}
