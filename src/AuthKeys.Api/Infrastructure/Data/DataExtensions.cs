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

        // Registered first so that the schema is in place before anything else starts; also
        // resolvable on its own, for the migrate command.
        services.AddSingleton<DatabaseMigrator>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseMigrator>());
        return services;
    }

    /// <summary>
    /// Runs a compiled query on a DbContext of its own scope, for work not tied to one request
    /// (a cache load shared by every request waiting for it). Bounded by the command timeout.
    /// </summary>
    public static async Task<TResult> QueryAsync<TArgument, TResult>(this IServiceScopeFactory scopes,
        Func<AppDbContext, TArgument, CancellationToken, Task<TResult>> query, TArgument argument)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>(), argument, CancellationToken.None);
    }
}

/// <summary>
/// Applies the committed migrations at start-up unless DB_MIGRATE_ON_STARTUP=false, or once and
/// exits when the service is started as <c>AuthKeys.Api migrate</c>: a deployment that migrates
/// as its own step keeps EF Core's migration machinery (tens of megabytes of memory) out of the
/// serving process.
/// </summary>
internal sealed partial class DatabaseMigrator(IServiceScopeFactory scopes, IOptions<DatabaseOptions> options, ILogger<DatabaseMigrator> logger)
    : IHostedService
{
    public const string Command = "migrate";

    private static readonly TimeSpan MigrationCommandTimeout = TimeSpan.FromMinutes(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStartup)
            await MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The <c>migrate</c> command: 0 when the schema is current, 1 (and why) when it cannot be made so.</summary>
    public static Task<int> RunCommandAsync(IServiceProvider services) =>
        services.GetRequiredService<DatabaseMigrator>().RunOnceAsync();

    private async Task<int> RunOnceAsync()
    {
        try
        {
            await MigrateAsync(CancellationToken.None);
            return 0;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogMigrationFailed(logger, e);
            return 1;
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // The connection's command timeout (15 s by default) is for requests; a migration may build
        // an index or rewrite a large table, or wait for a lock behind running transactions.
        db.Database.SetCommandTimeout(MigrationCommandTimeout);
        // MigrateAsync creates the database and its history table when missing; asking for pending
        // migrations first would log a failed query against the missing table on a first start.
        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(logger, db.Database.GetMigrations().LastOrDefault() ?? "none");
    }

    [LoggerMessage(LogLevel.Information, "Database schema is at migration {Migration}")]
    private static partial void LogMigrated(ILogger logger, string migration);

    [LoggerMessage(LogLevel.Critical, "Migrating the database failed")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception);
}
