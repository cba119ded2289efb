using AuthKeys.Api.Infrastructure.OpenApi;

namespace AuthKeys.Api.OAuth;

public static class OAuthExtensions
{
    /// <summary>The issuer's metadata and keys, client credentials, introspection and revocation.</summary>
    public static IServiceCollection AddAuthKeysOAuth(this IServiceCollection services)
    {
        services.AddSingleton<OAuthClients>();
        services.AddScoped<Introspection>();
        services.AddOpenApiOperationFilter<FormBodyOperationFilter>();
        return services;
    }
}
