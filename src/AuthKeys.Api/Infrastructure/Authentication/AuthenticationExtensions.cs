using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Auth;
using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Users;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Infrastructure.Authentication;

public static class AuthenticationExtensions
{
    private const string EitherSchemeChallenge = "JwtOrApiKeyChallenge";

    /// <summary>JWT bearer (with session revocation), the x-api-key scheme, and the policy scheme that picks between them.</summary>
    public static IServiceCollection AddAuthKeysAuthentication(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<AuthOptions>(AuthOptions.Bind);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<CommonPasswords>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<SessionStateCache>();
        services.AddSingleton<IRevocationSubscriber>(sp => sp.GetRequiredService<SessionStateCache>());
        services.AddSingleton<ValidatedTokenCache>();
        services.AddSingleton<RefreshGraceCache>();
        services.AddScoped<SessionService>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<LoginThrottle>();

        // No default scheme: anonymous routes skip authentication, and each protected route
        // authenticates with exactly the scheme its [Authorize] names.
        services.AddAuthentication()
            .AddJwtBearer(AuthSchemes.Jwt)
            .AddApiKey(AuthSchemes.ApiKey)
            .AddApiKey(EitherSchemeChallenge, o => o.ChallengeAlsoAdvertisesBearer = true)
            .AddPolicyScheme(AuthSchemes.JwtOrApiKey, "JWT or API key", o =>
            {
                o.ForwardDefaultSelector = context =>
                    context.Request.Headers.ContainsKey(AuthSchemes.ApiKeyHeader) ? AuthSchemes.ApiKey : AuthSchemes.Jwt;
                // A 401 on an either-scheme route names both schemes.
                o.ForwardChallenge = EitherSchemeChallenge;
            });
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearer>();
        services.AddSingleton<IPolicyEvaluator, AuthenticatedUserPolicyEvaluator>();
        services.AddAuthorization();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ScopeAuthorizationHandler>();
        SkipDataProtectionKeyRingAtStartup(services);
        return services;
    }

    /// <summary>
    /// AddAuthentication registers Data Protection, whose hosted service reads (and on a fresh
    /// machine writes) an XML key ring at start-up, loading the XML stack for good. Nothing here
    /// protects data: no cookies, no antiforgery, tokens are JWTs and keys are hashed. Data
    /// Protection stays registered and would load its key ring on first use.
    /// </summary>
    private static void SkipDataProtectionKeyRingAtStartup(IServiceCollection services)
    {
        var keyRingLoader = services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService");
        if (keyRingLoader is not null)
            services.Remove(keyRingLoader);
    }

    private sealed class ConfigureJwtBearer(IOptions<AuthOptions> auth, TimeProvider time, SessionStateCache sessions, ValidatedTokenCache validatedTokens, AuthKeysMetrics metrics)
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
                        metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Revoked);
                    }
                },
                OnTokenValidated = async context =>
                {
                    var sessionId = context.Principal?.FindFirst(AuthClaims.SessionId)?.Value;
                    if (!Guid.TryParse(sessionId, out var id) || context.Principal?.FindFirst(AuthClaims.Subject) is null)
                    {
                        context.Fail("The token has no session.");
                        metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Invalid);
                        return;
                    }
                    if (!await sessions.IsActiveAsync(id, context.HttpContext.RequestAborted))
                    {
                        context.Fail("The session has ended.");
                        metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Revoked);
                        return;
                    }
                    if (context.SecurityToken is JsonWebToken token)
                        validatedTokens.Add(token.EncodedToken, new ValidatedToken(context.Principal, id, token.ValidTo));
                    metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, AuthKeysMetrics.AuthOutcome.Success);
                },
                OnAuthenticationFailed = context =>
                {
                    metrics.Authenticated(AuthKeysMetrics.AuthScheme.Jwt, context.Exception is SecurityTokenExpiredException
                        ? AuthKeysMetrics.AuthOutcome.Expired
                        : AuthKeysMetrics.AuthOutcome.Invalid);
                    return Task.CompletedTask;
                },
            };
        }
    }
}
