using AuthKeys.Api.Accounts.Email;
using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Errors;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthKeys.Api.Accounts;

/// <summary>Accounts and sessions: signup, login, refresh, logout.</summary>
[ApiController]
[Route("auth")]
[Tags("Authentication")]
public sealed class AuthController(
    AppDbContext db, PasswordHasher passwords, SessionService sessions, EmailFlows emailFlows, LoginLockout lockout, MfaLogins mfaLogins, AuthKeysMetrics metrics, TimeProvider time)
    : ControllerBase
{
    /// <summary>Create an account and open a session.</summary>
    [HttpPost("signup")]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [ProducesResponseType<AuthResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> Signup(SignupRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = EmailAddress.Normalize(request.Email),
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim(),
            PasswordHash = await passwords.HashAsync(request.Password, cancellationToken),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        var origin = RequestOrigin.Of(HttpContext);
        var tokens = sessions.Open(user, origin, EventTypes.UserSignup);
        emailFlows.AddFirstVerification(user, origin);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered", detail: "An account with this email already exists.");
        }
        return StatusCode(StatusCodes.Status201Created, AuthResponse.Of(user, tokens));
    }

    /// <summary>
    /// Log in and open a session. For an account with a second factor a right password answers
    /// 401 with <c>type</c> ending in <c>mfa-required</c> and an <c>mfaToken</c> for POST /auth/login/mfa.
    /// </summary>
    [HttpPost("login")]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [ProducesResponseType<AuthResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<MfaRequiredProblem>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> Login(LoginRequest request, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email);
        var origin = RequestOrigin.Of(HttpContext);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);
        var attempt = user is null ? null : await lockout.ClaimAsync(user.Id, origin, cancellationToken);
        if (attempt is { RetryAfter: { } wait })
        {
            metrics.Rejected(AuthKeysMetrics.RejectionReason.LoginLockout);
            return this.Locked(wait, "This account is temporarily locked after repeated failed logins. Try again later.");
        }

        // Always one bcrypt verification, so timing does not tell which emails have accounts.
        var valid = await lockout.VerifyAsync(attempt, () => passwords.VerifyAsync(request.Password, attempt is null ? null : user!.PasswordHash, cancellationToken));
        if (attempt is not null && !valid)
            await lockout.FailedAsync(attempt, origin, cancellationToken);
        if (!valid || attempt is null || user is not { IsActive: true })
        {
            RequestLog.Refused(HttpContext, "invalid_credentials");
            return Unauthorized("Invalid credentials", "The email or password is incorrect.");
        }

        if (user.MfaEnabledAt is not null)
        {
            await lockout.ReleasedAsync(attempt, cancellationToken);
            return MfaRequired(await mfaLogins.StartAsync(user, cancellationToken));
        }
        await lockout.SucceededAsync(attempt, cancellationToken);
        var tokens = sessions.Open(user, origin, EventTypes.LoginSucceeded);
        await db.SaveChangesAsync(cancellationToken);
        return Ok(AuthResponse.Of(user, tokens));
    }

    /// <summary>Exchange a refresh token for a new pair. The token sent is spent; sending it again revokes the session.</summary>
    [HttpPost("refresh")]
    [ProducesResponseType<TokenResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    public async Task<IActionResult> Refresh(RefreshRequest request, CancellationToken cancellationToken)
    {
        var tokens = await sessions.RefreshAsync(request.RefreshToken, RequestOrigin.Of(HttpContext), cancellationToken);
        if (tokens is not null)
            return Ok(tokens);
        RequestLog.Refused(HttpContext, "refresh_token_invalid");
        return Unauthorized("Invalid refresh token", "The refresh token is invalid, expired, spent or revoked.");
    }

    /// <summary>End this session: its refresh token and access tokens stop working at once.</summary>
    [HttpPost("logout")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    public async Task<MessageResponse> Logout(CancellationToken cancellationToken)
    {
        await sessions.LogoutAsync(Actor.Of(HttpContext), cancellationToken);
        return new MessageResponse("Logged out successfully");
    }

    /// <summary>End every session of this user.</summary>
    [HttpPost("logout-all")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<MessageResponse>(StatusCodes.Status200OK)]
    public async Task<MessageResponse> LogoutAll(CancellationToken cancellationToken)
    {
        await sessions.LogoutAllAsync(Actor.Of(HttpContext), cancellationToken);
        return new MessageResponse("Logged out of all sessions");
    }

    private ObjectResult MfaRequired(string mfaToken)
    {
        var problem = ProblemDetailsFactory.CreateProblemDetails(HttpContext, StatusCodes.Status401Unauthorized, "Second factor required", ProblemTypes.MfaRequired,
            "The password is right; send mfaToken with a code from the authenticator app (or a recovery code) to POST /auth/login/mfa within 5 minutes.");
        problem.Extensions["mfaToken"] = mfaToken;
        RequestLog.Refused(HttpContext, "mfa_required");
        Response.Headers.WWWAuthenticate = "Bearer";
        return new ObjectResult(problem) { StatusCode = StatusCodes.Status401Unauthorized, ContentTypes = { "application/problem+json" } };
    }

    private ObjectResult Unauthorized(string title, string detail)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problem(statusCode: StatusCodes.Status401Unauthorized, title: title, detail: detail);
    }
}
