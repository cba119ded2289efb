using AuthKeys.Api.Infrastructure.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace AuthKeys.Api.Health;

/// <summary>Liveness and readiness probes.</summary>
[ApiController]
[Route("health")]
[Tags("Health")]
public sealed class HealthController(TimeProvider time) : ControllerBase
{
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Liveness: the process is up. Does not touch the database.</summary>
    [HttpGet]
    [NoDatabase]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status200OK)]
    public HealthResponse GetHealth() => new("ok", time.GetUtcNow());

    /// <summary>Readiness: PostgreSQL answers a query. 503 while it does not.</summary>
    [HttpGet("ready")]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IActionResult> GetReadiness([FromServices] NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadinessTimeout);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return Ok(new HealthResponse("ok", time.GetUtcNow()));
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // Pooled connections to a restarted server are dead; drop them so recovery is immediate.
            dataSource.Clear();
            Response.Headers.RetryAfter = "5";
            return Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "The database is unavailable.");
        }
    }
}

public sealed record HealthResponse(string Status, DateTimeOffset Timestamp);
