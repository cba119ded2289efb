using CeilingApp;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpLogging;
using OpenTelemetry.Metrics;

// What any controller API with authentication on this stack pays, and nothing more: the slim
// builder, controllers, the authentication and authorization middleware, and one handler that
// hands back a principal built once. No database, no logging per request. AuthKeys' routes are
// reported as a ratio of these (bench/load.sh); the same JSON shapes, so serialization costs alike.
//
// CEILING_FRAMEWORK_MIDDLEWARE=true adds the framework's own parts that AuthKeys' specification makes it
// run on every request, configured as AuthKeys configures them: the exception handler and
// status-code pages (problem details for every error), HSTS and HTTPS redirection, request
// logging, the rate limiter, and the request metrics (OpenTelemetry with Prometheus). AuthKeys'
// own code stays out: what separates the two ceilings is the framework's price of those features.
var builder = WebApplication.CreateSlimBuilder(args);
var frameworkMiddleware = builder.Configuration.GetValue<bool>("CEILING_FRAMEWORK_MIDDLEWARE");
builder.Services.AddControllers();
builder.Services.AddAuthentication(CachedPrincipalHandler.Name)
    .AddScheme<AuthenticationSchemeOptions, CachedPrincipalHandler>(CachedPrincipalHandler.Name, null);
builder.Services.AddAuthorization();
if (frameworkMiddleware)
{
    builder.Services.AddProblemDetails();
    builder.Services.AddHttpLogging(o => o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
        | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration);
    builder.Services.AddRateLimiter(_ => { });
    builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting")
        .AddRuntimeInstrumentation()
        .AddPrometheusExporter());
}

var app = builder.Build();
if (frameworkMiddleware)
{
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseHsts();
    app.UseHttpsRedirection();
    app.UseHttpLogging();
}
app.UseAuthentication();
if (frameworkMiddleware)
    app.UseRateLimiter();
app.UseAuthorization();
app.MapControllers();
if (frameworkMiddleware)
    app.MapPrometheusScrapingEndpoint();
await app.RunAsync();
