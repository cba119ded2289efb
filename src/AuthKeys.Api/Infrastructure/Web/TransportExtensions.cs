using System.Net;
using AuthKeys.Api.Infrastructure.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace AuthKeys.Api.Infrastructure.Web;

public sealed class ProxyOptions
{
    /// <summary>Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; nobody else's are.</summary>
    public List<IPNetwork> TrustedProxies { get; } = [];

    internal static void Bind(ProxyOptions options, EnvironmentReader env)
    {
        foreach (var entry in (env.Value("TRUSTED_PROXIES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
                options.TrustedProxies.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
                options.TrustedProxies.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            else
                env.Problem("TRUSTED_PROXIES", $"must be a comma-separated list of IP addresses or CIDR ranges (got '{entry}')");
        }
    }
}

/// <summary>What reaches the controllers: the client's real address, HTTPS only, bodies of bounded size.</summary>
public static class TransportExtensions
{
    /// <summary>JSON endpoints take at most this much body; more is 413.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IServiceCollection AddAuthKeysTransport(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<ProxyOptions>((options, env, _) => ProxyOptions.Bind(options, env));
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ConfigureForwardedHeaders>();
        services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        return services;
    }

    /// <summary>Forwarded headers (trusted proxies only), HTTPS outside Development, and the body limit.</summary>
    public static WebApplication UseAuthKeysTransport(this WebApplication app)
    {
        // With no known proxies the middleware would believe every client's X-Forwarded-For, so
        // it runs only when TRUSTED_PROXIES names some.
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.TrustedProxies.Count > 0)
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

    private sealed class ConfigureForwardedHeaders(IOptions<ProxyOptions> proxies) : IConfigureOptions<ForwardedHeadersOptions>
    {
        public void Configure(ForwardedHeadersOptions options)
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; we trust exactly what TRUSTED_PROXIES lists, so a client
            // cannot pick its own address for the per-IP limits with a spoofed X-Forwarded-For.
            options.ForwardLimit = null;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in proxies.Value.TrustedProxies)
                options.KnownIPNetworks.Add(network);
        }
    }
}
