using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.ApiKeys;

public static class ApiKeysExtensions
{
    /// <summary>The key store and what the x-api-key handler needs: cache, usage recording, failure throttle.</summary>
    public static IServiceCollection AddAuthKeysApiKeys(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<ApiKeyCacheOptions>((options, env, _) =>
            options.Capacity = env.WholeNumber("APIKEY_CACHE_SIZE", options.Capacity, 100, 10_000_000));
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<IRevocationSubscriber>(sp => sp.GetRequiredService<ApiKeyCache>());
        services.AddSingleton<ApiKeyUsageRecorder>();
        services.AddSingleton<UsageQuota>();
        services.AddSingleton<KeyRateLimiter>();
        services.AddSingleton<KeyVerifier>();
        services.AddSingleton<ApiKeyFailureThrottle>();
        services.AddHostedService<ApiKeyUsageFlusher>();
        services.AddScoped<ApiKeyService>();
        return services;
    }
}
