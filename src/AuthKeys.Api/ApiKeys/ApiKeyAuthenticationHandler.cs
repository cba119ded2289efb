using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Errors;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

using AuthOutcome = AuthKeys.Api.Infrastructure.Observability.AuthKeysMetrics.AuthOutcome;

namespace AuthKeys.Api.ApiKeys;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Also advertise Bearer when challenging, for routes that accept either credential.</summary>
    public bool ChallengeAlsoAdvertisesBearer { get; set; }
}

/// <summary>
/// Authenticates the <c>x-api-key</c> header. Malformed keys and checksum mismatches are refused
/// before any I/O; a well-formed key costs one SHA-256 and, on a cache miss, one indexed query.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyCache keys,
    ApiKeyUsageRecorder usage,
    UsageQuota quota,
    KeyRateLimiter rates,
    ApiKeyFailureThrottle throttle,
    AuthKeysMetrics metrics)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    private static readonly AuthenticateResult Malformed = AuthenticateResult.Fail("The API key is malformed.");
    private static readonly AuthenticateResult Invalid = AuthenticateResult.Fail("The API key is invalid, revoked or expired.");
    private static readonly AuthenticateResult Throttled = AuthenticateResult.Fail("Too many failed API-key attempts from this address.");
    private static readonly AuthenticateResult UsageExceeded = AuthenticateResult.Fail("The API key has no uses left.");
    private static readonly AuthenticateResult RateLimited = AuthenticateResult.Fail("The API key is over its rate limit.");
    private static readonly object ThrottledMarker = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(AuthSchemes.ApiKeyHeader, out var values))
        {
            // A token minted for a key (client credentials) opens what the key opens.
            return Request.Headers.Authorization.Count > 0 && Scheme.Name == AuthSchemes.ApiKey
                ? await Context.AuthenticateAsync(AuthSchemes.ServiceToken)
                : AuthenticateResult.NoResult();
        }
        var address = ClientAddress.Of(Context);
        // An address over its failure limit is refused whatever fails or would need a lookup; a
        // valid key this node holds keeps working from it, so that a neighbour behind the same
        // address, or a client retrying a revoked key, cannot take everyone's valid keys down.
        var blocked = throttle.IsBlocked(address);
        if (values.Count != 1 || !ApiKeyFormat.IsWellFormed(values[0]))
            return blocked ? Refused() : await FailAsync(address, Malformed, AuthOutcome.Invalid);

        Span<byte> hash = stackalloc byte[32];
        ApiKeyFormat.Hash(values[0], hash);
        var now = TimeProvider.GetUtcNow();
        ApiKeyIdentity? key;
        if (blocked)
        {
            if (!keys.TryGetCached(ApiKeyHash.From(hash), out key) || key is null || !key.IsValidAt(now))
                return Refused();
        }
        else
        {
            key = await keys.FindAsync(ApiKeyHash.From(hash), Context.RequestAborted);
            if (key is null || !key.IsValidAt(now))
                return await FailAsync(address, Invalid, key is null ? AuthOutcome.Invalid : !key.IsUsable ? AuthOutcome.Revoked : AuthOutcome.Expired);
        }

        if (key.RateLimit is { } rate)
        {
            var decision = await rates.AcquireAsync(key.KeyId, rate, Context.RequestAborted);
            Response.Headers["RateLimit-Policy"] = decision.PolicyHeader;
            Response.Headers["RateLimit"] = decision.Header;
            if (!decision.Allowed)
            {
                Context.Items[typeof(KeyRateDecision)] = decision;
                metrics.Rejected(AuthKeysMetrics.RejectionReason.KeyRateLimit);
                return Outcome(AuthOutcome.RateLimited, RateLimited);
            }
        }

        // A key with a quota costs a database round trip per use: the count must be exact across nodes.
        if (key.HasQuota && !(await quota.TryUseAsync(key.KeyId, now, RequestOrigin.Of(Context), Context.RequestAborted)).Allowed)
        {
            Context.Items[typeof(UsageQuota)] = UsageQuota.NextRefill(key.RefillInterval, now) is { } refill ? refill - now : TimeSpan.Zero;
            metrics.Rejected(AuthKeysMetrics.RejectionReason.UsageExceeded);
            return Outcome(AuthOutcome.UsageExceeded, UsageExceeded);
        }

        usage.Record(key.KeyId, now);
        return Outcome(AuthOutcome.Success, AuthenticateResult.Success(new AuthenticationTicket(key.CreatePrincipal(), Scheme.Name)));
    }

    private async Task<AuthenticateResult> FailAsync(IPAddress address, AuthenticateResult failure, AuthOutcome outcome) =>
        await throttle.RecordFailureAsync(address) ? Refused() : Outcome(outcome, failure);

    private AuthenticateResult Refused()
    {
        Context.Items[ThrottledMarker] = ThrottledMarker;
        metrics.Rejected(AuthKeysMetrics.RejectionReason.ApiKeyFailures);
        return Outcome(AuthOutcome.Throttled, Throttled);
    }

    private AuthenticateResult Outcome(AuthOutcome outcome, AuthenticateResult result)
    {
        if (outcome != AuthOutcome.Success)
            RequestLog.Refused(Context, outcome switch
            {
                AuthOutcome.Revoked => "key_revoked",
                AuthOutcome.Expired => "key_expired",
                AuthOutcome.Throttled => "key_failures_blocked",
                AuthOutcome.RateLimited => "key_rate_limited",
                AuthOutcome.UsageExceeded => "key_usage_exceeded",
                _ => "key_invalid",
            });
        metrics.Authenticated(AuthKeysMetrics.AuthScheme.ApiKey, outcome);
        return result;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.TryGetValue(typeof(KeyRateDecision), out var limited) && limited is KeyRateDecision decision)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = decision.ResetSeconds.ToString(CultureInfo.InvariantCulture);
            Context.Items[typeof(ProblemOverride)] = new ProblemOverride(StatusCodes.Status429TooManyRequests, ProblemTypes.For(429)!,
                "Rate limit exceeded", $"This API key allows {decision.Policy.Limit} uses per {decision.Policy.WindowSeconds} s; see Retry-After.");
            return Task.CompletedTask;
        }
        if (Context.Items.TryGetValue(typeof(UsageQuota), out var untilRefill) && untilRefill is TimeSpan wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            if (wait > TimeSpan.Zero)
                Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            Context.Items[typeof(ProblemOverride)] = new ProblemOverride(StatusCodes.Status429TooManyRequests, ProblemTypes.UsageExceeded,
                "Usage exceeded", wait > TimeSpan.Zero ? "This API key has no uses left until its next refill." : "This API key has no uses left.");
            return Task.CompletedTask;
        }
        if (Context.Items.ContainsKey(ThrottledMarker))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)ApiKeyFailureThrottle.Window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (Options.ChallengeAlsoAdvertisesBearer)
            Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        Response.Headers.Append(HeaderNames.WWWAuthenticate, $"ApiKey header=\"{AuthSchemes.ApiKeyHeader}\"");
        return Task.CompletedTask;
    }
}

public static class ApiKeyAuthenticationExtensions
{
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder, string scheme, Action<ApiKeyAuthenticationOptions>? configure = null) =>
        builder.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(scheme, configure);
}
