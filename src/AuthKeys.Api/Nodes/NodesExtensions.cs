using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Nodes;

public static class NodesExtensions
{
    /// <summary>
    /// What several nodes share: the database's revocation notices (heard on one listening
    /// connection, handed to every <see cref="IRevocationSubscriber"/> and <see cref="IDatabaseWakeUp"/>),
    /// the trust the caches consult while notices may be missed, and the Redis connection for counters.
    /// </summary>
    public static IServiceCollection AddAuthKeysNodes(this IServiceCollection services)
    {
        services.AddOptions<RevocationOptions>()
            .Configure<IConfiguration, IOptions<DatabaseOptions>>((options, configuration, database) =>
            {
                var env = new EnvironmentReader(configuration);
                RevocationOptions.Bind(options, env, database.Value);
                env.ThrowIfInvalid<RevocationOptions>();
            })
            .ValidateOnStart();
        // The caches read the system clock (see RevocableCache), so trust is measured on it too.
        services.AddSingleton(sp => new CacheTrust(sp.GetRequiredService<IOptions<RevocationOptions>>().Value.MaxStaleness));
        services.AddHostedService<RevocationListener>();

        services.AddEnvironmentOptions<RedisOptions>((options, env, _) => RedisOptions.Bind(options, env));
        services.AddSingleton<SharedCounterStore>();
        services.AddHostedService(sp => sp.GetRequiredService<SharedCounterStore>());
        return services;
    }
}
