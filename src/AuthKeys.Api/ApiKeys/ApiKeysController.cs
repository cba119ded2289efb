using AuthKeys.Api.Auth;
using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

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
        var created = await keys.CreateAsync(User.GetUserId(), request, cancellationToken);
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

    /// <summary>Revoke an API key; it stops working on the next request.</summary>
    [HttpDelete("{id}")]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> RevokeApiKey(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var keyId) || !await keys.RevokeAsync(User.GetUserId(), keyId, cancellationToken))
            return KeyNotFound();
        return Ok(new MessageResponse("API key revoked"));
    }

    private ObjectResult KeyNotFound() =>
        Problem(statusCode: StatusCodes.Status404NotFound, title: "API key not found", detail: "No API key of yours has this id.");
}
