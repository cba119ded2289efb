using System.Diagnostics;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.ApiKeys;

/// <summary>Key verification for the owner's other services: a JWT or a key with keys:verify, unlike key management.</summary>
[ApiController]
[Route("keys")]
[Tags("API keys")]
public sealed class KeyVerificationController(KeyVerifier verifier, AuthKeysMetrics metrics) : ControllerBase
{
    /// <summary>
    /// Verify a key one of your services received: always 200 with <c>valid</c> and a <c>code</c> for
    /// a well-formed request. Answers only about your own keys (any other is NOT_FOUND). A VALID
    /// answer counts as a use of the key (last used, rate limit, remaining). Callers: your JWT, or one
    /// of your API keys carrying the scope <c>keys:verify</c>.
    /// </summary>
    [HttpPost("verify")]
    [Authorize(AuthenticationSchemes = AuthSchemes.JwtOrApiKey)]
    [ProducesResponseType<VerifyKeyResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public async Task<IActionResult> VerifyApiKey(VerifyKeyRequest request, CancellationToken cancellationToken)
    {
        if (User.GetKeyId() is not null && !(User.FindFirst(AuthClaims.Scope)?.Value is { } scopes && ScopeAuthorizationHandler.Carries(scopes, VerifyScope)))
            return Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"An API key needs the scope {VerifyScope} to verify keys.");
        var started = Stopwatch.GetTimestamp();
        var answer = await verifier.VerifyAsync(User.GetUserId(), request, RequestOrigin.Of(HttpContext), cancellationToken);
        metrics.KeyVerified(answer.Code, Stopwatch.GetElapsedTime(started));
        return Ok(answer);
    }

    public const string VerifyScope = "keys:verify";

}
