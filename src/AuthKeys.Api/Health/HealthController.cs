using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Infrastructure.OpenApi;
using AuthKeys.Api.Mail;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
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
    /// <remarks>
    /// `listener` tells whether this node hears revocation notices. While it does not, the node
    /// trusts its caches for at most REVOCATION_MAX_STALENESS_SECONDS and stays ready: a short
    /// listener outage is no reason to leave the load balancer.
    /// </remarks>
    [HttpGet("ready")]
    [ProducesResponseType<ReadinessResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IActionResult> GetReadiness([FromServices] NpgsqlDataSource dataSource, [FromServices] CacheTrust trust, [FromServices] IOptions<MailOptions> mail, CancellationToken cancellationToken)
    {
        var listener = trust.IsListening ? ReadinessResponse.Up : ReadinessResponse.Down;
        var mailState = mail.Value.IsConfigured ? ReadinessResponse.Configured : ReadinessResponse.NotConfigured;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadinessTimeout);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return Ok(new ReadinessResponse("ok", time.GetUtcNow(), listener, mailState));
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // Pooled connections to a restarted server are dead; drop them so recovery is immediate.
            dataSource.Clear();
            Response.Headers.RetryAfter = "5";
            var problem = ProblemDetailsFactory.CreateProblemDetails(HttpContext, StatusCodes.Status503ServiceUnavailable, "Not ready", detail: "The database is unavailable.");
            problem.Extensions["listener"] = listener;
            problem.Extensions["mail"] = mailState;
            return new ObjectResult(problem) { StatusCode = problem.Status };
        }
    }
}

public sealed record HealthResponse(string Status, DateTimeOffset Timestamp);

/// <param name="Status">Always <c>ok</c>.</param>
/// <param name="Timestamp">The node's clock.</param>
/// <param name="Listener"><c>up</c> while this node hears revocation notices, <c>down</c> while it does not.</param>
/// <param name="Mail"><c>configured</c> when SMTP_URL is set; <c>not configured</c> otherwise (mail then waits in the outbox; the node stays ready).</param>
public sealed record ReadinessResponse(string Status, DateTimeOffset Timestamp, string Listener, string Mail)
{
    public const string Up = "up";
    public const string Down = "down";
    public const string Configured = "configured";
    public const string NotConfigured = "not configured";
}
