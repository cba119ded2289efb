using System.Globalization;
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
        return controller.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed logins", detail: detail);
    }

    /// <summary>A valid token of an account deleted meanwhile (its session check raced the deletion).</summary>
    public static ObjectResult AccountGone(this ControllerBase controller)
    {
        controller.Response.Headers.WWWAuthenticate = "Bearer";
        return controller.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "This account no longer exists.");
    }
}
