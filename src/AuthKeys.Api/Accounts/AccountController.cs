using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.Accounts;

/// <summary>Your account and your sessions: who you are, your password, where you are logged in, leaving.</summary>
[ApiController]
[Route("auth")]
[Tags("Account")]
[Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
public sealed class AccountController(UserAccounts accounts, SessionService sessions) : ControllerBase
{
    /// <summary>Who you are, and which session this access token belongs to.</summary>
    [HttpGet("me")]
    [ProducesResponseType<MeResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> GetMe(CancellationToken cancellationToken) =>
        await accounts.FindAsync(User.GetUserId(), cancellationToken) is { } account
            ? Ok(new MeResponse(account, User.GetSessionId()))
            : this.AccountGone();

    /// <summary>Change your display name (the only field that can be changed here).</summary>
    [HttpPatch("me")]
    [ProducesResponseType<AccountResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> UpdateMe(UpdateAccountRequest request, CancellationToken cancellationToken) =>
        await accounts.RenameAsync(User.GetUserId(), request.Name, cancellationToken) is { } account ? Ok(account) : this.AccountGone();

    /// <summary>Change your password. Every other session ends at once; this one goes on.</summary>
    [HttpPost("change-password")]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> ChangePassword(ChangePasswordRequest request, CancellationToken cancellationToken)
    {
        var check = await accounts.ChangePasswordAsync(Actor.Of(HttpContext), request.CurrentPassword, request.Code, request.NewPassword, cancellationToken);
        return Answer(check, "currentPassword", "Password changed; every other session has ended");
    }

    /// <summary>Your active sessions, newest first; <c>current</c> marks the one making this request.</summary>
    [HttpGet("sessions")]
    [ProducesResponseType<List<SessionResponse>>(StatusCodes.Status200OK)]
    public Task<List<SessionResponse>> ListSessions(CancellationToken cancellationToken) =>
        sessions.ListActiveAsync(User.GetUserId(), User.GetSessionId(), cancellationToken);

    /// <summary>End one of your sessions: its access and refresh tokens stop working at once.</summary>
    [HttpDelete("sessions/{id}")]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> EndSession(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var sessionId) || !await sessions.RevokeOwnAsync(Actor.Of(HttpContext), sessionId, cancellationToken))
            return Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: "No active session of yours has this id.");
        return Ok(new MessageResponse("Session ended"));
    }

    /// <summary>
    /// Erase your account and everything it owns (sessions, refresh tokens, API keys). Every
    /// credential of it stops working at once, on every node; the email can sign up again.
    /// </summary>
    [HttpPost("delete-account")]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> DeleteAccount(DeleteAccountRequest request, CancellationToken cancellationToken)
    {
        var check = await accounts.DeleteAsync(Actor.Of(HttpContext), request.Password, request.Code, cancellationToken);
        return Answer(check, "password", "Account deleted");
    }

    private IActionResult Answer(SecretCheck? check, string passwordField, string success) => check switch
    {
        null => this.AccountGone(),
        { IsCorrect: false } => this.Refuse(check, passwordField),
        _ => Ok(new MessageResponse(success)),
    };
}
