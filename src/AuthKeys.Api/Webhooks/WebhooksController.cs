using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.Webhooks;

/// <summary>
/// Your endpoints for security events, signed as Standard Webhooks specifies. Deliveries are
/// queued with the change that caused them and retried for hours; a change never waits for one.
/// </summary>
[ApiController]
[Route("webhooks")]
[Tags("Webhooks")]
[Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
public sealed class WebhooksController(WebhookService webhooks, WebhookTargets targets) : ControllerBase
{
    /// <summary>Register a webhook. The signing secret is in this response only.</summary>
    [HttpPost]
    [ProducesResponseType<CreatedWebhookResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> CreateWebhook(CreateWebhookRequest request, CancellationToken cancellationToken)
    {
        if (await targets.RefusalAsync(request.Url, cancellationToken) is { } refusal)
        {
            ModelState.AddModelError("url", refusal);
            return ValidationProblem(ModelState);
        }
        var created = await webhooks.CreateAsync(Actor.Of(HttpContext), request, cancellationToken);
        if (created is null)
            return Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhooks",
                detail: $"An account can have at most {Webhook.MaxPerUser} webhooks; delete one first.");
        return Created($"/webhooks/{created.Id}", created);
    }

    /// <summary>Your webhooks, newest first (without their secrets).</summary>
    [HttpGet]
    [ProducesResponseType<List<WebhookResponse>>(StatusCodes.Status200OK)]
    public Task<List<WebhookResponse>> ListWebhooks(CancellationToken cancellationToken) =>
        webhooks.ListAsync(User.GetUserId(), cancellationToken);

    /// <summary>Delete a webhook; deliveries not yet made are dropped.</summary>
    [HttpDelete("{id}")]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> DeleteWebhook(Guid id, CancellationToken cancellationToken) =>
        await webhooks.DeleteAsync(Actor.Of(HttpContext), id, cancellationToken)
            ? Ok(new MessageResponse("Webhook deleted"))
            : WebhookNotFound();

    /// <summary>The webhook's latest 100 deliveries, newest first.</summary>
    [HttpGet("{id}/deliveries")]
    [ProducesResponseType<List<WebhookDeliveryResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> ListDeliveries(Guid id, CancellationToken cancellationToken) =>
        await webhooks.DeliveriesAsync(User.GetUserId(), id, cancellationToken) is { } deliveries
            ? Ok(deliveries)
            : WebhookNotFound();

    private ObjectResult WebhookNotFound() =>
        Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook not found", detail: "No webhook of yours has this id.");
}
