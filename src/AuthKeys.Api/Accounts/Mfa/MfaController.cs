using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>A second factor: codes from an authenticator app (TOTP), and recovery codes for when it is lost.</summary>
[ApiController]
[Route("auth")]
[Tags("Second factor")]
public sealed class MfaController(AppDbContext db, SecondFactor factor, MfaLogins logins, UserAccounts accounts) : ControllerBase
{
    /// <summary>
    /// Start setting up an authenticator app: scan <c>otpauthUri</c> (or type <c>secret</c>), then
    /// confirm with a code. A new enrollment replaces one not confirmed yet.
    /// </summary>
    [HttpPost("mfa/totp/enroll")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<TotpEnrollment>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> EnrollTotp(EnrollTotpRequest request, CancellationToken cancellationToken)
    {
        if (await CallerAsync(cancellationToken) is not { } user)
            return this.AccountGone();
        if (user.MfaEnabledAt is not null)
            return AlreadyOn();
        var check = await accounts.CheckPasswordAsync(user, request.Password, RequestOrigin.Of(HttpContext), cancellationToken);
        return check.IsCorrect ? Ok(await factor.EnrollAsync(user, cancellationToken)) : this.Refuse(check);
    }

    /// <summary>
    /// Turn the second factor on with a code of the enrolled secret. Answers the recovery codes,
    /// shown only here; every other session of the account ends.
    /// </summary>
    [HttpPost("mfa/totp/confirm")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<RecoveryCodesResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> ConfirmTotp(MfaCodeRequest request, CancellationToken cancellationToken)
    {
        if (await CallerAsync(cancellationToken) is not { } user)
            return this.AccountGone();
        if (await factor.ConfirmAsync(user, Actor.Of(HttpContext), request.Code, cancellationToken) is not { } codes)
        {
            ModelState.AddModelError("code", user.PendingTotpSecret is null
                ? "Nothing to confirm: start with POST /auth/mfa/totp/enroll."
                : "The code is wrong or expired: send the one the app shows now.");
            return ValidationProblem(ModelState);
        }
        return Ok(new RecoveryCodesResponse(codes));
    }

    /// <summary>Replace your recovery codes with ten new ones; the old ones stop working.</summary>
    [HttpPost("mfa/recovery-codes")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<RecoveryCodesResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> RegenerateRecoveryCodes(MfaCodeRequest request, CancellationToken cancellationToken)
    {
        if (await CallerAsync(cancellationToken) is not { } user)
            return this.AccountGone();
        if (user.MfaEnabledAt is null)
            return NotOn();
        var check = await factor.CheckAsync(user, request.Code, RequestOrigin.Of(HttpContext), cancellationToken);
        return check.IsCorrect
            ? Ok(new RecoveryCodesResponse(await factor.RegenerateRecoveryCodesAsync(user, Actor.Of(HttpContext), cancellationToken)))
            : this.Refuse(check);
    }

    /// <summary>Turn the second factor off; the recovery codes are deleted.</summary>
    [HttpPost("mfa/disable")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> DisableMfa(DisableMfaRequest request, CancellationToken cancellationToken)
    {
        if (await CallerAsync(cancellationToken) is not { } user)
            return this.AccountGone();
        if (user.MfaEnabledAt is null)
            return NotOn();
        var origin = RequestOrigin.Of(HttpContext);
        var check = await accounts.CheckPasswordAsync(user, request.Password, origin, cancellationToken);
        if (check.IsCorrect)
            check = await factor.CheckAsync(user, request.Code, origin, cancellationToken);
        if (!check.IsCorrect)
            return this.Refuse(check);
        await factor.DisableAsync(user, Actor.Of(HttpContext), cancellationToken);
        return Ok(new MessageResponse("The second factor is off"));
    }

    /// <summary>
    /// The second step of a login to an account with a second factor: the <c>mfaToken</c> of the
    /// <c>mfa-required</c> answer and a code from the app, or an unused recovery code. Five wrong
    /// codes end the mfaToken; each counts toward the account's lockout.
    /// </summary>
    [HttpPost("login/mfa")]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [ProducesResponseType<AuthResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> LoginWithCode(MfaLoginRequest request, CancellationToken cancellationToken)
    {
        var result = await logins.FinishAsync(request.MfaToken, request.Code, RequestOrigin.Of(HttpContext), cancellationToken);
        if (result.Tokens is { } tokens)
            return Ok(tokens);
        if (result.Refusal is { Outcome: SecretOutcome.Locked } locked)
            return this.Refuse(locked);
        Response.Headers.WWWAuthenticate = "Bearer";
        RequestLog.Refused(HttpContext, result.Refusal is null ? "mfa_token_invalid" : "mfa_code_invalid");
        return result.Refusal is null
            ? Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid mfaToken",
                detail: "The mfaToken is unknown, expired, already used or ended by wrong codes: log in again.")
            : Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid code", detail: "The code is wrong, expired or already used.");
    }

    private Task<User?> CallerAsync(CancellationToken cancellationToken)
    {
        var userId = User.GetUserId();
        return db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
    }

    private ObjectResult AlreadyOn() =>
        Problem(statusCode: StatusCodes.Status409Conflict, title: "Second factor already on", detail: "Turn it off first to enroll another authenticator app.");

    private ObjectResult NotOn() =>
        Problem(statusCode: StatusCodes.Status409Conflict, title: "Second factor not on", detail: "This account has no second factor.");
}
