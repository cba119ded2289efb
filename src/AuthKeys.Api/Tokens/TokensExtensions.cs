using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Nodes;

namespace AuthKeys.Api.Tokens;

public static class TokensExtensions
{
    /// <summary>The signing keys (generated, sealed, rotated, shared by every node) and the access tokens they sign.</summary>
    public static IServiceCollection AddAuthKeysTokens(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<TokenOptions>(TokenOptions.Bind);
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<IDatabaseWakeUp>(sp => sp.GetRequiredService<SigningKeyRing>());
        services.AddScoped<SigningKeyStore>();
        services.AddScoped<ISealedValues, SealedSigningKeys>();
        services.AddHostedService<SigningKeyMaintenance>();
        services.AddSingleton<AccessTokens>();
        return services;
    }
}
