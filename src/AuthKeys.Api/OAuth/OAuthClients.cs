using System.Globalization;
using System.Text.Json;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.OAuth;

/// <summary>
/// An OAuth client is an API key: it is checked by key verification (so a success counts as a use
/// of the key, with its rate limit and quota) and its failures count toward the address's API-key
/// failure block, as they would on <c>x-api-key</c>.
/// </summary>
public sealed class OAuthClients(KeyVerifier verifier, ApiKeyCache keys, ApiKeyFailureThrottle throttle, TimeProvider time)
{
    /// <summary>The verified key, or the refusal to send. A missing scope is <c>invalid_scope</c> unless <paramref name="missingScopeIsInvalidClient"/>.</summary>
    public async Task<(VerifyKeyResponse? Key, IActionResult? Refusal)> AuthenticateAsync(
        HttpContext http, PresentedClient client, List<string>? requiredScopes, bool missingScopeIsInvalidClient, CancellationToken cancellationToken)
    {
        var address = ClientAddress.Of(http);
        // As on x-api-key: a blocked address keeps the valid keys this node holds, and nothing else.
        if (throttle.IsBlocked(address) && !HeldAndValid(client.Secret))
        {
            RequestLog.Refused(http, "key_failures_blocked");
            return (null, new OAuthErrorResult(StatusCodes.Status429TooManyRequests, OAuthError.RateLimited,
                "Too many failed API-key attempts from this address.", ApiKeyFailureThrottle.Window));
        }
        var verdict = await verifier.VerifyAsync(null, new VerifyKeyRequest(client.Secret, requiredScopes), RequestOrigin.Of(http), cancellationToken, client.ClientId);
        switch (verdict.Code)
        {
            case VerifyCodes.Valid:
                return (verdict, null);
            case VerifyCodes.InsufficientScopes when !missingScopeIsInvalidClient:
                return (null, new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthError.InvalidScope,
                    $"The key does not carry every scope asked for; it carries: {string.Join(' ', verdict.Scopes ?? [])}."));
            case VerifyCodes.InsufficientScopes:
                RequestLog.Refused(http, "key_scope_missing");
                return (null, InvalidClient($"The key does not carry the scope {string.Join(' ', requiredScopes ?? [])}."));
            case VerifyCodes.RateLimited:
                RequestLog.Refused(http, "key_rate_limited");
                return (null, new OAuthErrorResult(StatusCodes.Status429TooManyRequests, OAuthError.RateLimited,
                    "The API key is over its rate limit.", verdict.RateLimit!.ResetAt - time.GetUtcNow()));
            case VerifyCodes.UsageExceeded:
                RequestLog.Refused(http, "key_usage_exceeded");
                return (null, new OAuthErrorResult(StatusCodes.Status429TooManyRequests, OAuthError.UsageExceeded, "The API key has no uses left."));
            default:
                RequestLog.Refused(http, verdict.Code == VerifyCodes.NotFound ? "key_invalid" : verdict.Code == VerifyCodes.Revoked ? "key_revoked" : "key_expired");
                var blocked = await throttle.RecordFailureAsync(address);
                return (null, blocked
                    ? new OAuthErrorResult(StatusCodes.Status429TooManyRequests, OAuthError.RateLimited, "Too many failed API-key attempts from this address.", ApiKeyFailureThrottle.Window)
                    : InvalidClient("The client id and key do not name a valid API key."));
        }
    }

    private bool HeldAndValid(string secret) =>
        ApiKeyFormat.IsWellFormed(secret) && keys.TryGetCached(ApiKeyHash.From(ApiKeyFormat.Hash(secret)), out var key)
        && key is not null && key.IsValidAt(time.GetUtcNow());

    public static OAuthErrorResult InvalidClient(string description) =>
        new(StatusCodes.Status401Unauthorized, OAuthError.InvalidClient, description);
}

/// <summary>An OAuth error answer: <c>{error, error_description}</c>, never cached; a 401 names HTTP Basic, a 429 says when to retry.</summary>
public sealed class OAuthErrorResult(int status, string error, string description, TimeSpan? retryAfter = null) : IActionResult
{
    public OAuthError Error { get; } = new(error, description);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        if (status == StatusCodes.Status401Unauthorized)
            response.Headers.WWWAuthenticate = "Basic realm=\"authkeys\"";
        if (retryAfter is { } wait)
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await response.WriteAsJsonAsync(Error, JsonSerializerOptions.Web, context.HttpContext.RequestAborted);
    }
}
