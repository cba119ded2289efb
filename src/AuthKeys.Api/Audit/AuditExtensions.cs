using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Audit;

public static class AuditExtensions
{
    /// <summary>The audit log: recording in each change's transaction, GET /audit, retention.</summary>
    public static IServiceCollection AddAuthKeysAudit(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<AuditOptions>((options, env, _) => AuditOptions.Bind(options, env));
        services.AddScoped<AuditLog>();
        services.AddScoped<AuditReader>();
        services.AddHostedService<AuditRetention>();
        return services;
    }
}
