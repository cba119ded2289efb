using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Infrastructure.Validation;
using AuthKeys.Api.Nodes;

namespace AuthKeys.Api.Webhooks;

public static class WebhooksExtensions
{
    /// <summary>Webhook registration, the outbox sender, key.expiring notices.</summary>
    public static IServiceCollection AddAuthKeysWebhooks(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<WebhookOptions>((options, env, _) => WebhookOptions.Bind(options, env));
        services.AddSingleton<WebhookSecrets>();
        services.AddScoped<ISealedValues, SealedWebhookSecrets>();
        services.AddSingleton<WebhookTargets>();
        services.AddScoped<WebhookService>();
        services.AddRequestValidator<CreateWebhookRequest, CreateWebhookRequestValidator>();
        services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,   // a redirect could lead anywhere, including inside
                UseProxy = false,            // the address check must see the real target
                UseCookies = false,
                ConnectCallback = sp.GetRequiredService<WebhookTargets>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(1), // new connections re-resolve and re-check
            })
            .RemoveAllLoggers(); // its logs carry the full URL, where receivers sometimes put a token
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        services.AddSingleton<IDatabaseWakeUp>(sp => sp.GetRequiredService<WebhookSender>());
        services.AddSingleton<KeyExpiryNotices>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyExpiryNotices>());
        services.AddWebhooksOpenApi();
        return services;
    }
}
