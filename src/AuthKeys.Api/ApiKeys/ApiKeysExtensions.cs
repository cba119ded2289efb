using AuthKeys.Api.Accounts;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Validation;
using AuthKeys.Api.Nodes;

namespace AuthKeys.Api.ApiKeys;

public static class ApiKeysExtensions
{
    /// <summary>The key store, the x-api-key schemes, scopes, and the key limits (rate limit, quota, failure throttle).</summary>
    public static IServiceCollection AddAuthKeysApiKeys(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<ApiKeyCacheOptions>((options, env, _) =>
        {
            options.Capacity = env.WholeNumber("APIKEY_CACHE_SIZE", options.Capacity, 100, 10_000_000);
            options.DetailsCapacity = env.WholeNumber("APIKEY_VERIFY_CACHE_SIZE", options.DetailsCapacity, 100, 1_000_000);
        });
        services.AddEnvironmentOptions<ApiKeyFailureOptions>((options, env, _) => ApiKeyFailureOptions.Bind(options, env));
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<IRevocationSubscriber>(sp => sp.GetRequiredService<ApiKeyCache>());
        services.AddSingleton<ApiKeyUsageRecorder>();
        services.AddSingleton<UsageQuota>();
        services.AddSingleton<KeyRateLimiter>();
        services.AddSingleton<KeyVerifier>();
        services.AddSingleton<ApiKeyFailureThrottle>();
        services.AddHostedService<ApiKeyUsageFlusher>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<IAccountCredentials, ApiKeyCredentials>();
        services.AddSingleton<IServiceCallers, ServiceCallers>();
        services.AddRequestValidator<CreateApiKeyRequest, CreateApiKeyRequestValidator>();
        services.AddRequestValidator<UpdateApiKeyRequest, UpdateApiKeyRequestValidator>();
        services.AddRequestValidator<RollApiKeyRequest, RollApiKeyRequestValidator>();
        services.AddRequestValidator<VerifyKeyRequest, VerifyKeyRequestValidator>();

        services.AddAuthKeysSchemes()
            .AddApiKey(AuthSchemes.ApiKey)
            .AddApiKey(AuthSchemes.JwtOrApiKeyChallenge, o => o.ChallengeAlsoAdvertisesBearer = true);
        services.AddApiKeysOpenApi();
        return services;
    }
}
