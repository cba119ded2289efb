using System.Text;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace AuthKeys.Api.Infrastructure.Errors;

/// <summary>
/// The one place where exceptions become responses. Exception text never reaches the client:
/// a database outage or a transaction PostgreSQL rolled back as a deadlock is a prompt 503, a bad
/// request a 4xx, anything else a bare 500 that is logged.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(
    IProblemDetailsService problemDetails, NpgsqlDataSource dataSource, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.RequestAborted.IsCancellationRequested)
            return true; // The client left; there is nobody to answer.

        var deadlock = DatabaseErrors.IsDeadlock(exception);
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request", null),
            // A body that does not decode in the charset it declares (say, UTF-8 bytes sent as utf-16).
            DecoderFallbackException => (StatusCodes.Status400BadRequest, "Bad request", "The request body is not valid text in its declared charset."),
            ServiceBusyException busy => (StatusCodes.Status503ServiceUnavailable, "Service busy", busy.Message),
            _ when DatabaseErrors.IsUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The database is unavailable. Try again shortly."),
            // Rolled back whole by PostgreSQL: the same request sent again is expected to succeed.
            _ when deadlock => (StatusCodes.Status503ServiceUnavailable, "Service busy", "The request collided with a concurrent one and was not applied. Try again."),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred", (string?)null),
        };

        if (status >= 500 && exception is not ServiceBusyException)
            LogFailure(logger, exception, status);
        if (exception is ServiceBusyException { RetryAfter: var wait })
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        else if (deadlock)
            httpContext.Response.Headers.RetryAfter = "1";
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            // Pooled connections to a restarted server are dead; dropping them makes recovery immediate.
            dataSource.Clear();
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(LogLevel.Error, "Request failed with {Status}")]
    private static partial void LogFailure(ILogger logger, Exception exception, int status);
}
