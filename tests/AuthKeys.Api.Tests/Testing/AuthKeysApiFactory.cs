using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// The real service against its own fresh PostgreSQL database. Shared by a test class through
/// <c>IClassFixture</c>; a test that needs other settings creates its own with an object
/// initializer, starts it with <see cref="StartAsync"/> and disposes it (which drops its database).
/// </summary>
public sealed class AuthKeysApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string JwtSecret = "test-secret-that-is-long-enough-for-hs256-0123456789";

    /// <summary>
    /// A request header the test server reads as the client's address (the test server knows
    /// none), so that tests can speak from several addresses; the service never sees it.
    /// </summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    public Dictionary<string, string?> Settings { get; } = new()
    {
        ["JWT_SECRET"] = JwtSecret,
        ["JWT_ISSUER"] = "authkeys-tests",
        ["JWT_AUDIENCE"] = "authkeys-tests-clients",
        ["PASSWORD_HASH_COST"] = "4",
        // Limits are tested by their own classes; here they stay out of the way.
        ["AUTH_RATE_LIMIT_PER_MINUTE"] = "1000000",
        ["APIKEY_FAILURES_PER_MINUTE"] = "1000000",
    };

    /// <summary>Set to control the service's clock.</summary>
    public FakeTimeProvider? Time { get; init; }

    /// <summary>Set to put a proxy between the service and PostgreSQL that a test can cut.</summary>
    public bool UseDatabaseProxy { get; init; }

    public TcpProxy? DatabaseProxy { get; private set; }

    /// <summary>Set to put a proxy between the revocation listener and PostgreSQL that a test can cut.</summary>
    public bool UseListenerProxy { get; init; }

    public TcpProxy? ListenerProxy { get; private set; }

    /// <summary>
    /// Set to run this node on another node's database (a second node of one deployment); the
    /// database is then left to its owner.
    /// </summary>
    public AuthKeysApiFactory? SameDatabaseAs { get; init; }

    public string ConnectionString { get; private set; } = "";

    private bool _disposed;

    /// <summary>
    /// Set to serve on a real loopback port, for clients outside the process (a browser);
    /// <see cref="BaseAddress"/> says where. Links in mail point there.
    /// </summary>
    public bool OnLoopbackPort { get; init; }

    public Uri BaseAddress { get; private set; } = new("http://localhost");

    /// <summary>More test services for this node (an in-memory span exporter, say).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>SQL commands sent through the service's DbContext.</summary>
    public SqlCommandCounter SqlCommands { get; } = new();

    /// <summary>What the service logged.</summary>
    public LogCollector Logs { get; } = new();

    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    /// <summary>Creates the database (unless another node's is used) and starts the service: migrations run, configuration is validated.</summary>
    public async Task StartAsync()
    {
        ConnectionString = SameDatabaseAs?.ConnectionString ?? await TestPostgres.CreateDatabaseAsync();
        var serviceConnection = ConnectionString;
        if (UseDatabaseProxy)
        {
            var target = new NpgsqlConnectionStringBuilder(ConnectionString);
            DatabaseProxy = TcpProxy.Start(target.Host!, target.Port);
            serviceConnection = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = DatabaseProxy.Port, Timeout = 2 }.ConnectionString;
        }
        Settings.TryAdd("ConnectionStrings:Default", serviceConnection);
        if (UseListenerProxy)
        {
            var target = new NpgsqlConnectionStringBuilder(ConnectionString);
            ListenerProxy = TcpProxy.Start(target.Host!, target.Port);
            Settings.TryAdd("ConnectionStrings:Listener", new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = ListenerProxy.Port, Timeout = 2 }.ConnectionString);
        }
        if (OnLoopbackPort)
        {
            BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
            Settings["urls"] = BaseAddress.AbsoluteUri;
            Settings.TryAdd("EMAIL_LINK_BASE_URL", BaseAddress.AbsoluteUri);
            UseKestrel();
            StartServer();
            ClientOptions.BaseAddress = BaseAddress;
        }
        else
        {
            _ = Server;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
                services.AddSingleton<TimeProvider>(Time);
            services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(SqlCommands));
            services.AddHttpContextAccessor(); // so that SqlCommands can tell a request's commands from background work
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddTransient<IStartupFilter, ClientAddressFromHeader>();
            ConfigureServices?.Invoke(services);
        });
    }

    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.Remove(ClientAddressHeader, out var address))
                    context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public HttpClient CreateClient(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public HttpClient CreateApiKeyClient(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        return client;
    }

    /// <summary>What the node's readiness probe says of its revocation listener: up or down.</summary>
    public async Task<string?> ListenerStateAsync()
    {
        var response = await CreateClient().GetAsync(Routes.Ready);
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        return body.GetProperty("listener").GetString();
    }

    public Task UntilListeningAsync() =>
        Poll.UntilAsync(async () => await ListenerStateAsync() == "up", TimeSpan.FromSeconds(15), "the node listens for revocation notices");

    public NpgsqlConnection OpenDatabase()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Stops the service gracefully (hosted services flush); the database stays until disposal.</summary>
    public Task StopServiceAsync() => base.DisposeAsync().AsTask();

    /// <summary>Runs <paramref name="action"/> with the service's own scoped services.</summary>
    public async Task WithServicesAsync<TService>(Func<TService, Task> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>Stops the service, then drops its database unless it belongs to another node.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await base.DisposeAsync();
        DatabaseProxy?.Dispose();
        ListenerProxy?.Dispose();
        if (ConnectionString.Length > 0 && SameDatabaseAs is null)
            await TestPostgres.DropDatabaseAsync(ConnectionString);
    }
}
