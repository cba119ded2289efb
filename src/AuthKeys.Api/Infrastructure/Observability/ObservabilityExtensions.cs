using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AuthKeys.Api.Infrastructure.Observability;

public sealed class ObservabilityOptions
{
    /// <summary>METRICS_ENABLED: GET /metrics in Prometheus text format (default on).</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>METRICS_PORT: serve /metrics on this port instead of the main one.</summary>
    public int? MetricsPort { get; set; }

    /// <summary>METRICS_TOKEN: when set, a scrape of /metrics must send it as a bearer token.</summary>
    public string? MetricsToken { get; set; }

    /// <summary>OTEL_EXPORTER_OTLP_ENDPOINT: export metrics and traces over OTLP; traces are recorded only then.</summary>
    public Uri? OtlpEndpoint { get; set; }

    internal static void Bind(ObservabilityOptions options, EnvironmentReader env)
    {
        options.MetricsEnabled = env.YesNo("METRICS_ENABLED", options.MetricsEnabled);
        if (env.Value("METRICS_PORT") is not null)
            options.MetricsPort = env.WholeNumber("METRICS_PORT", 0, 1, 65535);
        if (env.Value("METRICS_TOKEN") is { } token)
        {
            if (token.Length < 16)
                env.Problem("METRICS_TOKEN", "must be at least 16 characters (e.g. `openssl rand -hex 24`)");
            else if (options.MetricsPort is not null)
                env.Problem("METRICS_TOKEN", "cannot guard METRICS_PORT's listener: leave METRICS_PORT unset to serve a guarded /metrics on the main port, or keep that port private");
            options.MetricsToken = token;
        }
        if (env.Value("OTEL_EXPORTER_OTLP_ENDPOINT") is { } endpoint)
        {
            if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                options.OtlpEndpoint = uri;
            else
                env.Problem("OTEL_EXPORTER_OTLP_ENDPOINT", "must be an http(s) URL such as http://otel-collector:4317");
        }
    }
}

public static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";

    // Each metric stream allocates its cardinality limit's worth of points up front (2,000 by
    // default): with dozens of streams that is megabytes of the large-object heap for series that
    // never exist. Only the request-duration histogram (method x route x status) can
    // need more than a few dozen; past the limit, measurements still count, in one overflow series.
    // That also bounds what callers can grow: webhook receivers' hosts are a tag of HttpClient's
    // request duration.
    private const string RequestDuration = "http.server.request.duration";
    private static readonly MetricStreamConfiguration SmallStream = new() { CardinalityLimit = 100 };

    // Outgoing calls go to webhook receivers, other tenants' hosts: their instruments keep only
    // tags that say nothing about where (no server.address, url.*, dns.question.name, peer ids).
    private static readonly MetricStreamConfiguration OutboundStream = new()
    {
        CardinalityLimit = 100,
        TagKeys = ["http.request.method", "http.response.status_code", "error.type", "url.scheme", "network.protocol.version", "http.connection.state"],
    };

    /// <summary>
    /// OpenTelemetry: the product's meter, ASP.NET Core, runtime, HttpClient and Npgsql metrics for
    /// Prometheus and OTLP; traces of requests, SQL commands and webhook deliveries, recorded only
    /// when there is an OTLP endpoint to send them to (a span per request costs while nobody reads it).
    /// </summary>
    public static IServiceCollection AddAuthKeysObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEnvironmentOptions<ObservabilityOptions>((options, env, _) => ObservabilityOptions.Bind(options, env));
        services.AddSingleton<AuthKeysMetrics>();

        // Read here because the set of exporters is fixed when the providers are built; a bad value
        // is reported at start-up by the options validation above.
        var settings = new ObservabilityOptions();
        ObservabilityOptions.Bind(settings, new EnvironmentReader(configuration));

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("authkeys"));
        // Off means off: with no reader nothing listens, and every instrument (ours and the
        // framework's) records nothing.
        if (settings.MetricsEnabled || settings.OtlpEndpoint is not null)
        {
            telemetry.WithMetrics(metrics =>
            {
                // ASP.NET Core's meters named one by one rather than all that its instrumentation turns
                // on: routing, authentication, authorization and memory-pool instruments fire once or
                // more per request on top of the request-duration histogram, and the product's own
                // authentication outcomes say more than the framework's.
                metrics.AddMeter(AuthKeysMetrics.MeterName)
                    .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting")
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddView(instrument => instrument.Meter.Name switch
                    {
                        "System.Net.Http" or "System.Net.NameResolution" => OutboundStream,
                        _ => instrument.Name == RequestDuration ? null : SmallStream,
                    });
                if (settings.MetricsEnabled && settings.MetricsPort is { } port)
                    AddScrapeListener(metrics, port);
                else if (settings.MetricsEnabled)
                    metrics.AddPrometheusExporter();
                if (settings.OtlpEndpoint is { } endpoint)
                    AddOtlpMetricsExporter(metrics, endpoint);
            });
        }
        if (settings.OtlpEndpoint is { } traceEndpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(AuthKeysMetrics.ActivitySourceName)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => context.Request.Path != MetricsPath)
                // A receiver's URL path can hold its own secret; a span says scheme and host only.
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    if (request.RequestUri is { } uri)
                        activity.SetTag("url.full", $"{uri.Scheme}://{uri.Authority}/");
                })
                .AddNpgsql()
                .AddOtlpExporter(otlp => otlp.Endpoint = traceEndpoint));
        }
        return services;
    }

    // The two exporters a node may not use live in methods of their own: compiling the method that
    // names one loads its assemblies, whether or not the branch calling it runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddScrapeListener(MeterProviderBuilder metrics, int port) =>
        metrics.AddPrometheusHttpListener(listener =>
        {
            (listener.Port, listener.ScrapeEndpointPath) = (port, MetricsPath);
            // Every interface (its Host option takes one name only): scrapers come from outside.
            listener.ConfigureHttpListener = (_, http) =>
            {
                http.Prefixes.Clear();
                http.Prefixes.Add($"http://*:{port}/");
            };
        });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddOtlpMetricsExporter(MeterProviderBuilder metrics, Uri endpoint) =>
        metrics.AddOtlpExporter(otlp => otlp.Endpoint = endpoint);

    /// <summary>GET /metrics on the main port, unless METRICS_PORT moves it or METRICS_ENABLED=false turns it off.</summary>
    public static void MapAuthKeysMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        if (!options.MetricsEnabled || options.MetricsPort is not null)
            return;
        // Not part of the API; guarded by METRICS_TOKEN when it is set, else open to whoever can reach it.
        app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: options.MetricsToken is { } token
            ? branch => branch.Use((context, next) => ScrapeAllowed(context, token) ? next(context) : RefuseScrapeAsync(context))
            : null, optionsName: null).ExcludeFromDescription();
    }

    private static bool ScrapeAllowed(HttpContext context, string token)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..])), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    private static async Task RefuseScrapeAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized", Detail = "Scraping /metrics takes the METRICS_TOKEN as a bearer token." },
        });
    }
}
