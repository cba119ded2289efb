using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Testcontainers.PostgreSql;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// One PostgreSQL server per test run: <c>AUTHKEYS_TEST_DATABASE</c> when set, else a throwaway
/// cluster from the machine's own binaries in a temp folder, else a Testcontainers container.
/// Each test class gets a fresh database on it (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<string>> AdminConnectionString = new(StartAsync);
    private static Func<Task>? _stop;

    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionString.Value;
        var name = $"authkeys_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await AdminConnectionString.Value);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("AUTHKEYS_TEST_DATABASE") is { Length: > 0 } configured)
            return configured;

        string connectionString;
        if (LocalCluster.FindBinaries() is { } binaries)
        {
            var cluster = await LocalCluster.StartAsync(binaries);
            _stop = () => { cluster.Stop(); return Task.CompletedTask; };
            connectionString = cluster.ConnectionString;
        }
        else
        {
            var container = new PostgreSqlBuilder("postgres:16-alpine").Build();
            await container.StartAsync();
            _stop = () => container.DisposeAsync().AsTask();
            connectionString = container.GetConnectionString();
        }
        // Removed at the end of the run, whether the tests passed or not.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _stop?.Invoke().GetAwaiter().GetResult();
        return connectionString;
    }

    private sealed class LocalCluster
    {
        private readonly string _binaries;
        private readonly string _root;
        private readonly bool _asPostgresUser;

        private LocalCluster(string binaries, string root, bool asPostgresUser, int port)
        {
            _binaries = binaries;
            _root = root;
            _asPostgresUser = asPostgresUser;
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5;Include Error Detail=true";
        }

        public string ConnectionString { get; }

        private string DataDirectory => Path.Combine(_root, "data");

        public static string? FindBinaries()
        {
            var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
            var candidates = path.Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
                : []);
            return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
        }

        public static async Task<LocalCluster> StartAsync(string binaries)
        {
            RemoveAbandoned();
            var root = Directory.CreateTempSubdirectory("authkeys-pg-").FullName;
            // initdb refuses to run as root; hand the folder to the postgres user instead.
            var asPostgresUser = Environment.UserName == "root";
            if (asPostgresUser)
                await RunAsync("chown", ["-R", "postgres", root]);

            var cluster = new LocalCluster(binaries, root, asPostgresUser, FreePort());
            await cluster.PgAsync("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
            var port = new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Port;
            var serverOptions = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            await cluster.PgAsync("pg_ctl", ["-D", cluster.DataDirectory, "-l", Path.Combine(root, "log"), "-o", serverOptions, "-w", "start"]);
            return cluster;
        }

        /// <summary>
        /// Stops the server and removes its folder from one shell, so the clean-up finishes even if
        /// the test host is killed while waiting for it.
        /// </summary>
        public void Stop()
        {
            var pgCtl = Path.Combine(_binaries, "pg_ctl");
            var stop = _asPostgresUser
                ? $"runuser -u postgres -- '{pgCtl}' -D '{DataDirectory}' -m immediate -w stop"
                : $"'{pgCtl}' -D '{DataDirectory}' -m immediate -w stop";
            using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", $"{stop} >/dev/null 2>&1; rm -rf '{_root}'"]) { WorkingDirectory = "/" })!;
            shell.WaitForExit(TimeSpan.FromSeconds(20));
        }

        /// <summary>Folders of earlier runs that were killed before their clean-up ran.</summary>
        public static void RemoveAbandoned()
        {
            foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "authkeys-pg-*"))
            {
                try
                {
                    if (!File.Exists(Path.Combine(folder, "data", "postmaster.pid")))
                        Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Someone else's, or in use: leave it.
                }
            }
        }

        private Task PgAsync(string tool, string[] arguments) =>
            _asPostgresUser
                ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binaries, tool), .. arguments])
                : RunAsync(Path.Combine(_binaries, tool), arguments);

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static async Task RunAsync(string fileName, string[] arguments)
        {
            var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
