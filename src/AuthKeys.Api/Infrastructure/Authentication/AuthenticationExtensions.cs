using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AuthKeys.Api.Infrastructure.Authentication;

public static class AuthenticationExtensions
{
    /// <summary>
    /// What joins the schemes: the policy scheme that picks the JWT or the x-api-key scheme for
    /// either-scheme routes, and the policy evaluator. Accounts registers the JWT scheme, ApiKeys
    /// the key schemes, under the names in <see cref="AuthSchemes"/>.
    /// </summary>
    public static IServiceCollection AddAuthKeysAuthentication(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);

        // No default scheme: anonymous routes skip authentication, and each protected route
        // authenticates with exactly the scheme its [Authorize] names.
        services.AddAuthentication()
            .AddPolicyScheme(AuthSchemes.JwtOrApiKey, "JWT or API key", o =>
            {
                o.ForwardDefaultSelector = context =>
                    context.Request.Headers.ContainsKey(AuthSchemes.ApiKeyHeader) ? AuthSchemes.ApiKey : AuthSchemes.AnyBearer;
                // A 401 on an either-scheme route names both schemes.
                o.ForwardChallenge = AuthSchemes.JwtOrApiKeyChallenge;
            });
        services.AddSingleton<IPolicyEvaluator, AuthenticatedUserPolicyEvaluator>();
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        SkipDataProtectionKeyRingAtStartup(services);
        return services;
    }

    /// <summary>
    /// Where a feature adds its scheme. Unlike a second AddAuthentication(), it does not register
    /// the authentication services again, which would bring back what
    /// <see cref="SkipDataProtectionKeyRingAtStartup"/> removed; AddAuthKeysAuthentication registers them once.
    /// </summary>
    public static AuthenticationBuilder AddAuthKeysSchemes(this IServiceCollection services) => new(services);

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
}
