using System.Globalization;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.Accounts;

/// <summary>The answers every account endpoint gives alike: a locked account, an account gone.</summary>
internal static class AccountProblems
{
    public const string WrongPasswordsDetail = "This account is temporarily locked after repeated wrong passwords. Try again later.";

    /// <summary>429 with Retry-After while the account is locked.</summary>
    public static ObjectResult Locked(this ControllerBase controller, TimeSpan wait, string detail = WrongPasswordsDetail)
    {
        controller.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        RequestLog.Refused(controller.HttpContext, "login_lockout");
        return controller.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed logins", detail: detail);
    }

    /// <summary>
    /// The answer to a failed <see cref="SecretCheck"/>: 429 while locked, else 400 naming the
    /// field that was wrong (<paramref name="passwordField"/>, or <c>code</c> for the second factor).
    /// </summary>
    public static IActionResult Refuse(this ControllerBase controller, SecretCheck check, string passwordField = "password")
    {
        if (check.Outcome == SecretOutcome.Locked)
        {
            controller.HttpContext.RequestServices.GetRequiredService<AuthKeysMetrics>().Rejected(AuthKeysMetrics.RejectionReason.LoginLockout);
            return controller.Locked(check.RetryAfter!.Value);
        }
        var (field, message) = check.Outcome switch
        {
            SecretOutcome.WrongPassword => (passwordField, "The password is incorrect."),
            SecretOutcome.CodeRequired => ("code", "This account has a second factor: send a current code from its authenticator app, or a recovery code."),
            _ => ("code", "The code is wrong, expired or already used."),
        };
        controller.ModelState.AddModelError(field, message);
        return controller.ValidationProblem(controller.ModelState);
    }

    /// <summary>A valid token of an account deleted meanwhile (its session check raced the deletion).</summary>
    public static ObjectResult AccountGone(this ControllerBase controller)
    {
        controller.Response.Headers.WWWAuthenticate = "Bearer";
        return controller.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "This account no longer exists.");
    }
}
