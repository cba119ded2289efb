using System.Globalization;
using System.Threading.RateLimiting;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Observability;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Infrastructure.Security;

public static class SecurityExtensions
{
    /// <summary>Rate-limiter policy for signup and login.</summary>
    public const string AuthPolicy = "auth-per-ip";

    /// <summary>JSON endpoints take at most this much body; more is 413.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IServiceCollection AddAuthKeysSecurity(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<ThrottlingOptions>((options, env, _) => ThrottlingOptions.Bind(options, env));
        services.AddEnvironmentOptions<RedisOptions>((options, env, _) => RedisOptions.Bind(options, env));
        services.AddSingleton<SharedCounterStore>();
        services.AddHostedService(sp => sp.GetRequiredService<SharedCounterStore>());
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>, ConfigureRateLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ConfigureForwardedHeaders>();
        services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        return services;
    }

    /// <summary>Forwarded headers (trusted proxies only), HTTPS outside Development, and the body limit.</summary>
    public static WebApplication UseAuthKeysSecurity(this WebApplication app)
    {
        // With no known proxies the middleware would believe every client's X-Forwarded-For, so
        // it runs only when TRUSTED_PROXIES names some.
        if (app.Services.GetRequiredService<IOptions<ThrottlingOptions>>().Value.TrustedProxies.Count > 0)
            app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.Use(LimitBodySize);
        return app;
    }

    private static Task LimitBodySize(HttpContext context, RequestDelegate next)
    {
        // Only routes that read a JSON body refuse a large one; the others never read it.
        if (context.Request.ContentLength > MaxBodyBytes && ReadsBody(context.GetEndpoint()))
        {
            // Refuse before reading a byte; chunked bodies are capped by Kestrel's MaxRequestBodySize.
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        }
        return next(context);
    }

    private static bool ReadsBody(Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<ControllerActionDescriptor>()?.Parameters
            .Any(p => p.BindingInfo?.BindingSource == BindingSource.Body) == true;

    private sealed class ConfigureRateLimiter(IOptions<ThrottlingOptions> throttling, SharedCounterStore counters) : IConfigureOptions<RateLimiterOptions>
    {
        public void Configure(RateLimiterOptions options)
        {
            var perMinute = throttling.Value.AuthRequestsPerMinute;
            // Counted in Redis when REDIS_URL is set, so the limit holds for the deployment, not per node.
            options.AddPolicy(AuthPolicy, context => RateLimitPartition.Get(
                ClientAddress.Of(context),
                address => new SharedOrLocalRateLimiter($"authkeys:auth:{address}", perMinute, TimeSpan.FromMinutes(1), counters)));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.HttpContext.RequestServices.GetRequiredService<AuthKeysMetrics>().Rejected(AuthKeysMetrics.RejectionReason.AuthRateLimit);
                return ValueTask.CompletedTask; // The status-code page writes the problem body.
            };
        }
    }

    private sealed class ConfigureForwardedHeaders(IOptions<ThrottlingOptions> throttling) : IConfigureOptions<ForwardedHeadersOptions>
    {
        public void Configure(ForwardedHeadersOptions options)
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; we trust exactly what TRUSTED_PROXIES lists, so a client
            // cannot pick its own address for the per-IP limits with a spoofed X-Forwarded-For.
            options.ForwardLimit = null;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in throttling.Value.TrustedProxies)
                options.KnownIPNetworks.Add(network);
        }
    }
}
