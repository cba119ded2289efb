using CeilingApp;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpLogging;
using OpenTelemetry.Metrics;

// What any controller API with authentication on this stack pays, and nothing more: the slim
// builder, controllers, the authentication and authorization middleware, and one handler that
// hands back a principal built once. No database, no logging per request. AuthKeys' routes are
// reported as a ratio of these (bench/run.sh); the same JSON shapes, so serialization costs alike.
//
// CEILING_FRAMEWORK_MIDDLEWARE=true adds the framework's own parts that AuthKeys' SPEC makes it
// run on every request, configured as AuthKeys configures them: the exception handler and
// status-code pages (problem details for every error), HSTS and HTTPS redirection, request
// logging, the rate limiter, and the request metrics (OpenTelemetry with Prometheus). AuthKeys'
// own code stays out: what separates the two ceilings is the framework's price of those features.
// A comma-separated list instead of true turns on only those named (errors, https, logging,
// ratelimiter, metrics), so that each feature's price can be measured on its own.
var builder = WebApplication.CreateSlimBuilder(args);
var features = FrameworkFeatures.Parse(builder.Configuration["CEILING_FRAMEWORK_MIDDLEWARE"]);
builder.Services.AddControllers();
builder.Services.AddAuthentication(CachedPrincipalHandler.Name)
    .AddScheme<AuthenticationSchemeOptions, CachedPrincipalHandler>(CachedPrincipalHandler.Name, null);
builder.Services.AddAuthorization();
if (features.Errors)
    builder.Services.AddProblemDetails();
if (features.Logging)
    builder.Services.AddHttpLogging(o => o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
        | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration);
if (features.RateLimiter)
    builder.Services.AddRateLimiter(_ => { });
if (features.Metrics)
    builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting")
        .AddRuntimeInstrumentation()
        .AddPrometheusExporter());

var app = builder.Build();
if (features.Errors)
{
    app.UseExceptionHandler();
    app.UseStatusCodePages();
}
if (features.Https)
{
    app.UseHsts();
    app.UseHttpsRedirection();
}
if (features.Logging)
    app.UseHttpLogging();
app.UseAuthentication();
if (features.RateLimiter)
    app.UseRateLimiter();
app.UseAuthorization();
app.MapControllers();
if (features.Metrics)
    app.MapPrometheusScrapingEndpoint();
await app.RunAsync();

internal sealed record FrameworkFeatures(bool Errors, bool Https, bool Logging, bool RateLimiter, bool Metrics)
{
    public static FrameworkFeatures Parse(string? setting)
    {
        if (bool.TryParse(setting, out var all) || string.IsNullOrWhiteSpace(setting))
            return new(all, all, all, all, all);
        var names = setting.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        string[] known = ["errors", "https", "logging", "ratelimiter", "metrics"];
        if (names.Except(known, StringComparer.OrdinalIgnoreCase).FirstOrDefault() is { } unknown)
            throw new ArgumentException($"CEILING_FRAMEWORK_MIDDLEWARE: unknown feature '{unknown}'; known: true, false or {string.Join(", ", known)}");
        return new(names.Contains("errors"), names.Contains("https"), names.Contains("logging"), names.Contains("ratelimiter"), names.Contains("metrics"));
    }
}
