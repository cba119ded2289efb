using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace AuthKeys.Api.ApiKeys;

/// <summary>Create, list and revoke API keys. Managing keys needs a user's JWT; a key cannot manage keys.</summary>
[ApiController]
[Route("keys")]
[Tags("API keys")]
[Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
public sealed class ApiKeysController(ApiKeyService keys) : ControllerBase
{
    /// <summary>Create an API key. The secret is in this response only.</summary>
    [HttpPost("create")]
    [ProducesResponseType<CreatedApiKeyResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> CreateApiKey(CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var created = await keys.CreateAsync(Actor.Of(HttpContext), request, cancellationToken);
        if (created is null)
            return Problem(statusCode: StatusCodes.Status409Conflict, title: "Name already in use", detail: "You already have an active API key with this name.");
        return Created($"/keys/{created.Id}", created);
    }

    /// <summary>List your API keys, newest first, including revoked ones.</summary>
    [HttpGet]
    [ProducesResponseType<List<ApiKeyResponse>>(StatusCodes.Status200OK)]
    public Task<List<ApiKeyResponse>> ListApiKeys(CancellationToken cancellationToken) =>
        keys.ListAsync(User.GetUserId(), cancellationToken);

    /// <summary>One of your API keys, as listed.</summary>
    [HttpGet("{id}")]
    [ProducesResponseType<ApiKeyResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> GetApiKey(string id, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var keyId) && await keys.FindAsync(User.GetUserId(), keyId, cancellationToken) is { } key
            ? Ok(key)
            : KeyNotFound();

    /// <summary>
    /// Change a key: fields left out stay as they are, <c>null</c> clears. Effective from the next
    /// request, on every node.
    /// </summary>
    [HttpPatch("{id}")]
    [ProducesResponseType<ApiKeyResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> UpdateApiKey(string id, UpdateApiKeyRequest request, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var keyId))
            return KeyNotFound();
        var (outcome, key) = await keys.UpdateAsync(Actor.Of(HttpContext), keyId, request, cancellationToken);
        return outcome switch
        {
            ApiKeyService.ChangeOutcome.Done => Ok(key),
            ApiKeyService.ChangeOutcome.NotFound => KeyNotFound(),
            ApiKeyService.ChangeOutcome.NotActive => Problem(statusCode: StatusCodes.Status409Conflict, title: "API key not active", detail: "A revoked, rolled or expired key cannot be changed."),
            ApiKeyService.ChangeOutcome.RefillWithoutRemaining => RefillNeedsRemaining(),
            _ => NameTaken(),
        };
    }

    /// <summary>Revoke an API key; it stops working on the next request.</summary>
    [HttpDelete("{id}")]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> RevokeApiKey(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var keyId) || !await keys.RevokeAsync(Actor.Of(HttpContext), keyId, cancellationToken))
            return KeyNotFound();
        return Ok(new MessageResponse("API key revoked"));
    }

    /// <summary>
    /// Replace a key with a new secret carrying its name, scopes, meta and expiry. The old key stops
    /// at once, or after the grace period (never past its own expiry), so services can switch over
    /// without downtime. The new secret is in this response only.
    /// </summary>
    [HttpPost("{id}/roll")]
    [ProducesResponseType<RolledApiKeyResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> RollApiKey(string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RollApiKeyRequest? request, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var keyId))
            return KeyNotFound();
        var (outcome, rolled) = await keys.RollAsync(Actor.Of(HttpContext), keyId, TimeSpan.FromSeconds(request?.GracePeriodSeconds ?? 0), cancellationToken);
        return outcome switch
        {
            ApiKeyService.RollOutcome.Rolled => Created($"/keys/{rolled!.Id}", rolled),
            ApiKeyService.RollOutcome.NotFound => KeyNotFound(),
            ApiKeyService.RollOutcome.NotActive => Problem(statusCode: StatusCodes.Status409Conflict, title: "API key not active",
                detail: "Only an active key can be rolled: this one is revoked, expired or already rolled."),
            _ => NameTaken(),
        };
    }

    private ActionResult RefillNeedsRemaining()
    {
        ModelState.AddModelError("refill", "Refill needs remaining to be set.");
        return ValidationProblem(ModelState);
    }

    private ObjectResult NameTaken() =>
        Problem(statusCode: StatusCodes.Status409Conflict, title: "Name already in use", detail: "You already have another active API key with this name.");

    private ObjectResult KeyNotFound() =>
        Problem(statusCode: StatusCodes.Status404NotFound, title: "API key not found", detail: "No API key of yours has this id.");
}
