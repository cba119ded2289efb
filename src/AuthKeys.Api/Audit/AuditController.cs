using System.ComponentModel.DataAnnotations;
using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.Audit;

/// <summary>Your account's security events: logins, sessions, password and key changes, webhooks.</summary>
[ApiController]
[Route("audit")]
[Tags("Audit log")]
[Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
public sealed class AuditController(AuditReader reader) : ControllerBase
{
    /// <summary>
    /// Your events, newest first, a page at a time: pass a page's <c>next</c> as <c>before</c> for
    /// the next one (null on the last page). Pages neither skip nor repeat events, even as new ones
    /// are recorded.
    /// </summary>
    /// <param name="limit">Events per page, 1 to 100 (default 50).</param>
    /// <param name="before">The <c>next</c> cursor of the previous page.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    [HttpGet]
    [ProducesResponseType<AuditPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<IActionResult> ListEvents(
        [FromQuery, Range(1, AuditReader.MaxLimit)] int? limit, [FromQuery, MaxLength(64)] string? before, CancellationToken cancellationToken)
    {
        // A limit that is not a number never gets here: model binding answers 400 naming it.
        if (limit is < 1 or > AuditReader.MaxLimit)
            ModelState.AddModelError("limit", $"Limit must be a whole number from 1 to {AuditReader.MaxLimit}.");
        AuditCursor? cursor = null;
        if (before is not null && !AuditCursor.TryParse(before, out cursor))
            ModelState.AddModelError("before", "Before must be the next cursor of a previous page.");
        if (!ModelState.IsValid)
            return ValidationProblem(ModelState);
        return Ok(await reader.PageAsync(User.GetUserId(), limit ?? AuditReader.DefaultLimit, cursor, cancellationToken));
    }
}
