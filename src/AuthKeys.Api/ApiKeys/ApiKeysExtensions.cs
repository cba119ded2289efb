using AuthKeys.Api.Infrastructure.Caching;

namespace AuthKeys.Api.ApiKeys;

public static class ApiKeysExtensions
{
    /// <summary>The key store and what the x-api-key handler needs: cache, usage recording, failure throttle.</summary>
    public static IServiceCollection AddAuthKeysApiKeys(this IServiceCollection services)
    {
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
