using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;
using Testcontainers.Redis;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// One Redis server per test run, provided like PostgreSQL: <c>AUTHKEYS_TEST_REDIS</c>
/// (<c>host:port</c>) when set, else a throwaway <c>redis-server</c> from the machine on a free port,
/// else a Testcontainers container. Each test class that asks gets a database of its own (a Redis
/// server has 16), emptied first.
/// </summary>
public static class TestRedis
{
    private static readonly Lazy<Task<DnsEndPoint>> Server = new(StartAsync);
    private static int _lastDatabase;

    /// <summary>The server, and a database number nobody else in this run uses.</summary>
    public static async Task<(DnsEndPoint Server, int Database)> CreateDatabaseAsync()
    {
        var server = await Server.Value;
        var database = Interlocked.Increment(ref _lastDatabase) % 16;
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Host}:{server.Port},allowAdmin=true");
        await connection.GetServer(server.Host, server.Port).FlushDatabaseAsync(database);
        return (server, database);
    }

    private static async Task<DnsEndPoint> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("AUTHKEYS_TEST_REDIS") is { Length: > 0 } configured)
        {
            var parts = configured.Split(':');
            return new DnsEndPoint(parts[0], parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 6379);
        }

        if (FindServer() is { } binary)
        {
            var port = FreePort();
            // A watchdog shell stops the server once this test host is gone, however it ended: a
            // host killed by the runner never gets to run its exit handlers.
            var script = $"'{binary}' --port {port} --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile '' & server=$!; "
                + $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; kill $server; wait $server";
            var process = Process.Start(new ProcessStartInfo("sh", ["-c", script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            })!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await WaitForAsync("127.0.0.1", port);
            return new DnsEndPoint("127.0.0.1", port);
        }

        var container = new RedisBuilder("redis:7-alpine").Build();
        await container.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var endpoint = container.GetConnectionString().Split(':');
        return new DnsEndPoint(endpoint[0], int.Parse(endpoint[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? FindServer() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    private static async Task WaitForAsync(string host, int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port);
                return;
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(50);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
