using System.Diagnostics;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Tests.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace AuthKeys.Api.Tests.Infrastructure.Data;

public sealed class MigrationTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    [Fact]
    public async Task StartupMigrationsCreateTheTablesAndTheirUniqueIndexes()
    {
        await using var db = api.OpenDatabase();
        var tables = await db.ReadColumnAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        Assert.Superset(new HashSet<string> { "users", "sessions", "refresh_tokens", "api_keys", "__EFMigrationsHistory" }, tables.ToHashSet());

        var uniqueIndexes = await db.ReadColumnAsync("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE 'CREATE UNIQUE INDEX%'");
        Assert.Contains("ix_users_email", uniqueIndexes);
        Assert.Contains("ix_api_keys_key_hash", uniqueIndexes);
        Assert.Contains("ix_api_keys_user_id_name", uniqueIndexes);
        Assert.Contains("ix_refresh_tokens_token_hash", uniqueIndexes);

        var cascades = await db.ReadColumnAsync("SELECT conname FROM pg_constraint WHERE contype = 'f' AND confdeltype = 'c'");
        Assert.Contains("fk_api_keys_users_user_id", cascades);
        Assert.Contains("fk_sessions_users_user_id", cascades);
    }

    [Fact]
    public Task TheCompiledModelAndTheMigrationsMatchTheEntityConfigurations() =>
        api.WithServicesAsync<AppDbContext>(db =>
        {
            // The service runs on the generated model in Infrastructure/Data/CompiledModel; the
            // model built from the entity configurations is what a change edits. Both must agree,
            // and the migrations must already contain every change.
            Assert.IsAssignableFrom<AuthKeys.Api.Infrastructure.Data.CompiledModel.AppDbContextModel>(db.Model);
            Assert.Equal(Describe(db.GetService<IDesignTimeModel>().Model), Describe(db.Model));
            Assert.False(db.Database.HasPendingModelChanges(), "The model has changes no migration contains: add a migration.");
            return Task.CompletedTask;
        });

    /// <summary>What the database and the change tracker see of a model, one line per fact.</summary>
    private static string[] Describe(IModel model) =>
    [
        .. model.GetEntityTypes().SelectMany(e => e.GetProperties().Select(p =>
            $"{e.Name}.{p.Name}: {p.ClrType.Name} nullable={p.IsNullable} generated={p.ValueGenerated} column={p.GetColumnName()} {p.GetColumnType()}")),
        .. model.GetRelationalModel().Tables.SelectMany(t =>
            t.Columns.Select(c => $"{t.Name}.{c.Name}: {c.StoreType} nullable={c.IsNullable} default={c.DefaultValueSql}")
            .Concat(t.Indexes.Select(i => $"{t.Name} index {i.Name} unique={i.IsUnique} filter={i.Filter} ({string.Join(",", i.Columns.Select(c => c.Name))})"))
            .Concat(t.ForeignKeyConstraints.Select(f => $"{t.Name} fk {f.Name} -> {f.PrincipalTable.Name} on delete {f.OnDeleteAction}"))
            .Concat(t.UniqueConstraints.Select(u => $"{t.Name} key {u.Name} ({string.Join(",", u.Columns.Select(c => c.Name))})"))),
    ];

    [Fact]
    public async Task TheApiKeysTableLeavesRoomOnEachPageForLastUsedUpdates()
    {
        await using var db = api.OpenDatabase();
        var options = await db.ReadColumnAsync("SELECT unnest(reloptions) FROM pg_class WHERE relname = 'api_keys'");
        Assert.Contains("fillfactor=80", options);
    }

    [Fact]
    public async Task TheDatabaseRefusesAnEmailThatIsNotNormalized()
    {
        await using var db = api.OpenDatabase();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO users (id, email, password_hash, created_at, updated_at, failed_login_count) VALUES (gen_random_uuid(), ' Upper@Example.com', 'x', now(), now(), 0)", db);
        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }
}

public sealed class MigrateOnStartupDisabledTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { Settings = { ["DB_MIGRATE_ON_STARTUP"] = "false" } };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task WithMigrationsOffStartupLeavesTheDatabaseUntouched()
    {
        await using var db = _api.OpenDatabase();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", db);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task TheMigrateCommandAppliesTheMigrationsOnceAndExitsZero()
    {
        Assert.Equal(0, await RunMigrateCommandAsync(_api.ConnectionString));
        Assert.Equal(0, await RunMigrateCommandAsync(_api.ConnectionString)); // nothing left to apply is success too

        await using var db = _api.OpenDatabase();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", db);
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 1);
    }

    [Fact]
    public async Task TheMigrateCommandExitsNonZeroWhenTheDatabaseIsUnreachable()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(_api.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        Assert.Equal(1, await RunMigrateCommandAsync(unreachable));
    }

    [Fact]
    public async Task AMigrationWaitingForALockIsNotCutOffByTheRequestCommandTimeout()
    {
        // Another session holds the history table for longer than the connection's command timeout.
        await using var db = _api.OpenDatabase();
        await using (var create = new NpgsqlCommand("""CREATE TABLE "__EFMigrationsHistory" (migration_id varchar(150) PRIMARY KEY, product_version varchar(32) NOT NULL)""", db))
            await create.ExecuteNonQueryAsync();
        await using var transaction = await db.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("""LOCK TABLE "__EFMigrationsHistory" IN ACCESS EXCLUSIVE MODE""", db, transaction))
            await hold.ExecuteNonQueryAsync();

        var oneSecondCommands = new NpgsqlConnectionStringBuilder(_api.ConnectionString) { CommandTimeout = 1 }.ConnectionString;
        var migrate = RunMigrateCommandAsync(oneSecondCommands);
        await using var watch = _api.OpenDatabase();
        await using var waiting = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", watch);
        for (var i = 0; i < 300 && (long)(await waiting.ExecuteScalarAsync())! == 0 && !migrate.IsCompleted; i++)
            await Task.Delay(100);
        await Task.Delay(TimeSpan.FromSeconds(2)); // twice the command timeout, with the migration waiting
        await transaction.CommitAsync();

        Assert.Equal(0, await migrate);
    }

    /// <summary>The built service, as a deployment's migration step would run it.</summary>
    private static async Task<int> RunMigrateCommandAsync(string connectionString)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("migrate");
        start.Environment["ConnectionStrings__Default"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true); // it started serving instead of migrating
        }
        Assert.True(process.ExitCode is 0 or 1, $"exit {process.ExitCode}: {await output}{await errors}");
        return process.ExitCode;
    }
}
