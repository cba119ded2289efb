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
        // MigrateAsync creates the database and its history table when missing; asking for pending
        // migrations first would log a failed query against the missing table on a first start.
        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(logger, db.Database.GetMigrations().LastOrDefault() ?? "none");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Database schema is at migration {Migration}")]
    private static partial void LogMigrated(ILogger logger, string migration);
}
