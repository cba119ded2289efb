using System.Globalization;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>Your address: proving it, resetting a forgotten password through it, moving to another.</summary>
[ApiController]
[Route("auth")]
[Tags("Email")]
public sealed class EmailController(EmailFlows flows, ResetRequests resetRequests, PasswordHasher passwords) : ControllerBase
{
    /// <summary>Send a new verification link to your address; older links stop working.</summary>
    [HttpPost("verify-email/send")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> SendVerification(CancellationToken cancellationToken) =>
        Answer(await flows.ResendVerificationAsync(Actor.Of(HttpContext), cancellationToken), "A verification link is on its way to your address");

    /// <summary>Verify your address (or confirm a new one) with the token of the link.</summary>
    [HttpPost("verify-email")]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> Verify(VerifyEmailRequest request, CancellationToken cancellationToken) =>
        Answer(await flows.VerifyAsync(request.Token, RequestOrigin.Of(HttpContext), cancellationToken), "Your email address is verified", StatusCodes.Status200OK);

    /// <summary>
    /// Ask for a password-reset link. The answer is the same, and as fast, whether or not an
    /// account has this address; a link goes out only when one does, at most once a minute and
    /// five times an hour per account.
    /// </summary>
    [HttpPost("forgot-password")]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public IActionResult ForgotPassword(ForgotPasswordRequest request)
    {
        resetRequests.Enqueue(EmailAddress.Normalize(request.Email), RequestOrigin.Of(HttpContext));
        return Accepted(new MessageResponse("If an account has this address, a reset link is on its way to it"));
    }

    /// <summary>Set a new password with the token of a reset link. Every session of the account ends.</summary>
    [HttpPost("reset-password")]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> ResetPassword(ResetPasswordRequest request, CancellationToken cancellationToken)
    {
        var hash = await passwords.HashAsync(request.NewPassword, cancellationToken);
        return Answer(await flows.ResetAsync(request.Token, request.Code, hash, RequestOrigin.Of(HttpContext), cancellationToken),
            "Your password is reset; log in with the new one", StatusCodes.Status200OK);
    }

    /// <summary>Move your account to another address: a link goes there, a notice to the current one.</summary>
    [HttpPost("change-email")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> ChangeEmail(ChangeEmailRequest request, CancellationToken cancellationToken) =>
        Answer(await flows.RequestEmailChangeAsync(Actor.Of(HttpContext), EmailAddress.Normalize(request.NewEmail), request.Password, request.Code, cancellationToken),
            "A confirmation link is on its way to the new address; the address changes when it is used");

    private IActionResult Answer(FlowResult result, string success, int successStatus = StatusCodes.Status202Accepted)
    {
        switch (result.Outcome)
        {
            case FlowOutcome.Done:
                return StatusCode(successStatus, new MessageResponse(success));
            case FlowOutcome.AccountGone:
                return this.AccountGone();
            case FlowOutcome.AlreadyVerified:
                return Problem(statusCode: StatusCodes.Status409Conflict, title: "Already verified", detail: "Your email address is already verified.");
            case FlowOutcome.AddressTaken:
                return Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered", detail: result.Detail);
            case FlowOutcome.TooSoon:
                Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(result.RetryAfter!.Value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "A link was sent moments ago; at most one a minute and five an hour are sent. Check your inbox, or try again later.");
            case FlowOutcome.Refused:
                return this.Refuse(result.Check!);
            default:
                ModelState.AddModelError("token", result.Detail ?? "This link is not valid.");
                return ValidationProblem(ModelState);
        }
    }
}
