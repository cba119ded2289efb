using System.Runtime.CompilerServices;
using AuthKeys.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthKeys.Api.Nodes;

public sealed class RedisOptions
{
    /// <summary>
    /// REDIS_URL, checked at start-up; null when counters stay in this node's memory. Kept as text,
    /// not as the client's ConfigurationOptions: compiling a method that reads a field of a Redis
    /// type loads the client, so a node without Redis would load it at start-up. The methods here
    /// and in the rate limiter that name Redis types are kept apart, never inlined, for the same reason.
    /// </summary>
    public string? Url { get; set; }

    public bool IsConfigured => Url is not null;

    internal static void Bind(RedisOptions options, EnvironmentReader env)
    {
        if (env.Value("REDIS_URL") is not { } value)
            return;
        if (IsValid(value))
            options.Url = value;
        else
            env.Problem("REDIS_URL", "must look like redis://[:password@]host:6379[/db], rediss://… or host:port,password=…");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsValid(string value) => Parse(value) is not null;

    /// <summary>
    /// <c>redis://[[user]:password@]host[:port][/db]</c>, <c>rediss://</c> for TLS, or a
    /// StackExchange.Redis configuration string such as <c>host:port,password=…</c>; null when it is neither.
    /// </summary>
    public static ConfigurationOptions? Parse(string value)
    {
        var configuration = value.Contains("://", StringComparison.Ordinal) ? FromUrl(value) : FromConfigurationString(value);
        if (configuration is null || configuration.EndPoints.Count == 0)
            return null;
        // Never wait for Redis: while it is away, commands fail at once and the node counts alone;
        // the multiplexer reconnects in the background.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2000);
        configuration.AsyncTimeout = Math.Min(configuration.AsyncTimeout, 1000);
        configuration.SyncTimeout = Math.Min(configuration.SyncTimeout, 1000);
        configuration.ClientName ??= "authkeys";
        return configuration;
    }

    private static ConfigurationOptions? FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
            return null;
        var configuration = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
        configuration.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var userInfo = uri.UserInfo.Split(':', 2);
            if (userInfo.Length == 2)
            {
                configuration.User = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null;
                configuration.Password = Uri.UnescapeDataString(userInfo[1]);
            }
            else
            {
                configuration.Password = Uri.UnescapeDataString(userInfo[0]);
            }
        }
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, out var database) || database < 0)
                return null;
            configuration.DefaultDatabase = database;
        }
        return configuration;
    }

    private static ConfigurationOptions? FromConfigurationString(string value)
    {
        try
        {
            return ConfigurationOptions.Parse(value);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// The Redis connection the per-IP limits count in, shared by every node, when REDIS_URL is set.
/// Start-up does not wait for it; while Redis is away the limiters count on this node alone
/// (RateLimiting/SharedOrLocalRateLimiter), which is logged once per outage.
/// </summary>
public sealed partial class SharedCounterStore(IOptions<RedisOptions> options, ILogger<SharedCounterStore> logger) : IHostedService, IAsyncDisposable
{
    private ConnectionMultiplexer? _connection;
    private int _outage;

    /// <summary>Whether there is a REDIS_URL: only then may <see cref="Available"/> be asked (see <see cref="RedisOptions.Url"/>).</summary>
    public bool IsConfigured { get; } = options.Value.IsConfigured;

    /// <summary>The connection while Redis answers; null when it is not yet connected, or away.</summary>
    public IConnectionMultiplexer? Available => _connection is { IsConnected: true } connection ? connection : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsConfigured)
            StartConnecting();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A command failed: count locally until Redis answers again.</summary>
    public void ReportFailure(Exception? exception)
    {
        if (Interlocked.Exchange(ref _outage, 1) == 0)
            LogUnavailable(logger, exception?.Message ?? "not connected");
    }

    public ValueTask DisposeAsync() => IsConfigured ? DisposeConnectionAsync() : ValueTask.CompletedTask;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private async ValueTask DisposeConnectionAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void StartConnecting() => _ = ConnectAsync(RedisOptions.Parse(options.Value.Url!)!);

    private async Task ConnectAsync(ConfigurationOptions configuration)
    {
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            connection.ConnectionFailed += (_, e) => ReportFailure(e.Exception);
            connection.ConnectionRestored += (_, _) =>
            {
                if (Interlocked.Exchange(ref _outage, 0) == 1)
                    LogRecovered(logger);
            };
            _connection = connection;
            if (!connection.IsConnected)
                ReportFailure(null);
        }
        catch (Exception e) when (e is RedisException or ArgumentException or InvalidOperationException)
        {
            ReportFailure(e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Redis is unreachable ({Reason}): rate limits are counted on this node alone until it is back")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Information, "Redis is reachable again: rate limits are shared by every node")]
    private static partial void LogRecovered(ILogger logger);
}
