using System.Globalization;
using System.Threading.RateLimiting;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.Nodes;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.RateLimiting;

/// <summary>Rate-limiter policies a route names in <c>[EnableRateLimiting]</c>.</summary>
public static class RateLimitPolicies
{
    /// <summary>Signup and login: AUTH_RATE_LIMIT_PER_MINUTE per client address.</summary>
    public const string Auth = "auth-per-ip";
}

public static class RateLimitingExtensions
{
    /// <summary>The per-address policies, counted in Redis for every node when REDIS_URL is set.</summary>
    public static IServiceCollection AddAuthKeysRateLimiting(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<RateLimitingOptions>((options, env, _) => RateLimitingOptions.Bind(options, env));
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>, ConfigureRateLimiter>();
        services.AddRateLimiter(_ => { });
        return services;
    }

    private sealed class ConfigureRateLimiter(IOptions<RateLimitingOptions> limits, SharedCounterStore counters) : IConfigureOptions<RateLimiterOptions>
    {
        public void Configure(RateLimiterOptions options)
        {
            var perMinute = limits.Value.AuthRequestsPerMinute;
            options.AddPolicy(RateLimitPolicies.Auth, context => RateLimitPartition.Get(
                ClientAddress.Of(context),
                address => new SharedOrLocalRateLimiter($"authkeys:auth:{address}", perMinute, TimeSpan.FromMinutes(1), counters)));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.HttpContext.RequestServices.GetRequiredService<AuthKeysMetrics>().Rejected(AuthKeysMetrics.RejectionReason.AuthRateLimit);
                RequestLog.Refused(context.HttpContext, "auth_rate_limit");
                return ValueTask.CompletedTask; // The status-code page writes the problem body.
            };
        }
    }
}
