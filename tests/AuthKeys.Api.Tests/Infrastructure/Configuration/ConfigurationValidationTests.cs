using System.Diagnostics;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Nodes;
using AuthKeys.Api.RateLimiting;

namespace AuthKeys.Api.Tests.Infrastructure.Configuration;

/// <summary>Starts the real service process with a bad setting and reads what an operator would see.</summary>
public sealed class ConfigurationValidationTests
{
    [Theory]
    [InlineData("JWT_SECRET", "too-short", "JWT_SECRET must be at least 32 bytes long")]
    [InlineData("JWT_SECRET", "change-me-to-a-random-string-of-at-least-32-bytes", "JWT_SECRET is the example value")]
    [InlineData("JWT_EXPIRES_IN", "soon", "JWT_EXPIRES_IN must be a duration")]
    [InlineData("JWT_ALGORITHM", "RS256", "JWT_ALGORITHM must be ES256 or HS256")]
    [InlineData("JWT_KEY_ROTATION_DAYS", "1", "JWT_KEY_ROTATION_DAYS must be a whole number from 2 to 3650")]
    [InlineData("OAUTH_TOKEN_EXPIRES_IN", "2h", "OAUTH_TOKEN_EXPIRES_IN must be a duration")]
    [InlineData("PASSWORD_HASH_COST", "99", "PASSWORD_HASH_COST must be a whole number from 4 to 31")]
    [InlineData("PORT", "http", "PORT must be a whole number from 1 to 65535")]
    [InlineData("PASSWORD_HASH_CONCURRENCY", "0", "PASSWORD_HASH_CONCURRENCY must be a whole number from 1 to 256")]
    [InlineData("DB_MIGRATE_ON_STARTUP", "maybe", "DB_MIGRATE_ON_STARTUP must be true or false")]
    [InlineData("DATABASE_URL", "mysql://nope", "DATABASE_URL must look like postgres://")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.1,not-an-ip", "TRUSTED_PROXIES must be a comma-separated list")]
    [InlineData("AUTH_RATE_LIMIT_PER_MINUTE", "0", "AUTH_RATE_LIMIT_PER_MINUTE must be a whole number")]
    [InlineData("APIKEY_CACHE_SIZE", "10", "APIKEY_CACHE_SIZE must be a whole number from 100 to 10000000")]
    [InlineData("APIKEY_VERIFY_CACHE_SIZE", "many", "APIKEY_VERIFY_CACHE_SIZE must be a whole number from 100 to 1000000")]
    [InlineData("REDIS_URL", "http://cache:6379", "REDIS_URL must look like redis://")]
    [InlineData("REDIS_URL", "redis://cache:6379/not-a-number", "REDIS_URL must look like redis://")]
    [InlineData("REVOCATION_MAX_STALENESS_SECONDS", "0", "REVOCATION_MAX_STALENESS_SECONDS must be a whole number from 1 to 3600")]
    [InlineData("AUDIT_RETENTION_DAYS", "0", "AUDIT_RETENTION_DAYS must be a whole number from 1 to 36500")]
    [InlineData("WEBHOOK_ALLOW_PRIVATE_TARGETS", "sometimes", "WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false")]
    [InlineData("WEBHOOK_SECRET_KEY", "short", "WEBHOOK_SECRET_KEY must be at least 32 bytes long")]
    [InlineData("METRICS_ENABLED", "yes please", "METRICS_ENABLED must be true or false")]
    [InlineData("METRICS_PORT", "0", "METRICS_PORT must be a whole number from 1 to 65535")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317", "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL")]
    public async Task ABadValueStopsStartupWithOneLineNamingTheVariable(string variable, string value, string expected)
    {
        var (exitCode, error) = await RunServiceAsync(new() { [variable] = value });
        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAnySealingKeyTheServiceRefusesToStartOutsideDevelopment()
    {
        // The signing keys are sealed at rest: every node, and the next start, must open them.
        var (exitCode, error) = await RunServiceAsync(new() { ["JWT_SECRET"] = null });
        Assert.Equal(1, exitCode);
        Assert.Contains("ENCRYPTION_KEY is required outside Development", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hs256WithoutAJwtSecretIsRefusedOutsideDevelopment()
    {
        var (exitCode, error) = await RunServiceAsync(new() { ["JWT_SECRET"] = null, ["JWT_ALGORITHM"] = "HS256", ["ENCRYPTION_KEY"] = "an-encryption-key-that-is-long-enough-0123456789" });
        Assert.Equal(1, exitCode);
        Assert.Contains("JWT_SECRET is required with JWT_ALGORITHM=HS256 outside Development", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    [InlineData("3600", 3600)]
    [InlineData("30s", 30)]
    public void DurationsAreReadAsTheReferenceWritesThem(string text, int seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("redis://cache.internal", "cache.internal", 6379, null, null, false, null)]
    [InlineData("redis://:s%40cret@cache:6380/2", "cache", 6380, null, "s@cret", false, 2)]
    [InlineData("rediss://app:pw@cache.example.com:6390", "cache.example.com", 6390, "app", "pw", true, null)]
    [InlineData("cache:6381,password=pw,ssl=true", "cache", 6381, null, "pw", true, null)]
    public void RedisUrlsAndConfigurationStringsAreBothUnderstood(string value, string host, int port, string? user, string? password, bool ssl, int? database)
    {
        var options = RedisOptions.Parse(value)!;
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal((host, port), (endpoint.Host, endpoint.Port));
        Assert.Equal((user, password, ssl, database), (options.User, options.Password, options.Ssl, options.DefaultDatabase));
        // Never wait for Redis: the node counts alone while it is away.
        Assert.False(options.AbortOnConnectFail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    [InlineData("1w")]
    public void NonsenseDurationsAreRejected(string text) => Assert.False(DurationParser.TryParse(text, out _));

    private static async Task<(int ExitCode, string Error)> RunServiceAsync(Dictionary<string, string?> overrides)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AuthKeys.Api.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["JWT_SECRET"] = "a-perfectly-fine-secret-that-is-long-enough-0123456789";
        start.Environment["DB_HOST"] = "127.0.0.1";
        start.Environment["DB_PORT"] = "1"; // Never reached: configuration is checked first.
        foreach (var (key, value) in overrides)
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The service did not stop on a bad setting: {await output}");
        }
        return (process.ExitCode, await error);
    }
}
