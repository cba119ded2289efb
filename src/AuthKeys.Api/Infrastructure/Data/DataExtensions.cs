using AuthKeys.Api.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AuthKeys.Api.Infrastructure.Data;

public static class DataExtensions
{
    public static IServiceCollection AddAuthKeysData(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<DatabaseOptions>((options, env, _) => DatabaseOptions.Bind(options, env));

        services.AddSingleton(sp => new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());

        services.AddDbContextPool<AppDbContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention());

        // Registered first so that the schema is in place before anything else starts.
        services.AddHostedService<DatabaseMigrator>();
        return services;
    }
}

/// <summary>Applies the committed migrations at start-up unless DB_MIGRATE_ON_STARTUP=false.</summary>
internal sealed partial class DatabaseMigrator(IServiceScopeFactory scopes, IOptions<DatabaseOptions> options, ILogger<DatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStartup)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
            return;
        LogMigrating(logger, pending.Count);
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Applying {Count} database migration(s)")]
    private static partial void LogMigrating(ILogger logger, int count);
}
