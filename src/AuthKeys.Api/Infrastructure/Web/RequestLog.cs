using Microsoft.AspNetCore.HttpLogging;

namespace AuthKeys.Api.Infrastructure.Web;

/// <summary>
/// What the request log line adds to method, path, status and duration: the client address, and
/// for a 401, 403 or 429 the reason it was refused, from a fixed set of codes (never a credential).
/// </summary>
public static class RequestLog
{
    private static readonly object ReasonKey = new();

    /// <summary>Why this request is refused, for its log line; the last call wins.</summary>
    public static void Refused(HttpContext context, string reason) => context.Items[ReasonKey] = reason;

    internal static string? ReasonOf(HttpContext context) => context.Items.TryGetValue(ReasonKey, out var reason) ? reason as string : null;
}

/// <summary>Adds the client address and the refusal reason to the combined request log entry.</summary>
internal sealed class RequestLogInterceptor : IHttpLoggingInterceptor
{
    public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext) => default;

    public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext)
    {
        var http = logContext.HttpContext;
        // Read at the end: by then the forwarded-headers step has put the real client here.
        logContext.AddParameter("ClientAddress", http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (http.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status429TooManyRequests)
            logContext.AddParameter("Reason", RequestLog.ReasonOf(http) ?? DefaultReason(http));
        return default;
    }

    private static string DefaultReason(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status401Unauthorized when http.Request.Headers.Authorization.Count == 0 && !http.Request.Headers.ContainsKey("x-api-key") => "no_credentials",
        StatusCodes.Status401Unauthorized => "credentials_refused",
        StatusCodes.Status403Forbidden => "forbidden",
        _ => "rate_limited",
    };
}
