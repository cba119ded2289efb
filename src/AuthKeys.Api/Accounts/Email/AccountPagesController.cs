using System.Net;
using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.RateLimiting;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>
/// The pages the links in mail open, for people without a frontend of their own: a GET shows a
/// form and never spends the token (mail scanners open links); the form's POST does. Plain HTML,
/// no script, nothing from elsewhere, under a Content-Security-Policy that allows only this page's
/// own style and forms posting back here.
/// </summary>
[Route("account")]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class AccountPagesController(EmailFlows flows, PasswordHasher passwords, IValidator<ResetPasswordRequest> resetRules) : ControllerBase
{
    private const string Style = "body{font-family:sans-serif;max-width:28em;margin:3em auto;padding:0 1em;line-height:1.5}"
        + "input,button{font:inherit;padding:.4em;margin:.2em 0 .8em;width:100%;box-sizing:border-box}.error{color:#a00}";

    private static readonly string Policy = "default-src 'none'; style-src 'sha256-"
        + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))
        + "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    [HttpGet(EmailFlows.VerifyPage)]
    public ContentResult VerifyForm(string? token) =>
        Page("Confirm your email address", token is null ? Error("This link has no token. Open the link from the message again.")
            : Form(EmailFlows.VerifyPage, token, "<p>Confirm that this address belongs to your account.</p>", "Confirm my address"));

    [HttpPost(EmailFlows.VerifyPage)]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [Consumes("application/x-www-form-urlencoded")]
    public async Task<ContentResult> Verify([FromForm] string? token, CancellationToken cancellationToken)
    {
        var result = await flows.VerifyAsync(token ?? "", RequestOrigin.Of(HttpContext), cancellationToken);
        return result.Outcome == FlowOutcome.Done
            ? Page("Address confirmed", "<p>Your email address is confirmed. You can close this page.</p>")
            : Page("Confirm your email address", Error(result.Detail ?? "This link is not valid."), StatusCodes.Status400BadRequest);
    }

    [HttpGet(EmailFlows.ResetPage)]
    public ContentResult ResetForm(string? token) =>
        Page("Choose a new password", token is null ? Error("This link has no token. Open the link from the message again.") : ResetFields(token, null));

    [HttpPost(EmailFlows.ResetPage)]
    [EnableRateLimiting(RateLimitPolicies.Auth)]
    [Consumes("application/x-www-form-urlencoded")]
    public async Task<ContentResult> Reset(
        [FromForm] string? token, [FromForm] string? newPassword, [FromForm] string? repeatPassword, [FromForm] string? code, CancellationToken cancellationToken)
    {
        if (newPassword != repeatPassword)
            return Page("Choose a new password", ResetFields(token ?? "", "The two passwords differ."), StatusCodes.Status400BadRequest);
        var request = new ResetPasswordRequest(token ?? "", newPassword ?? "", string.IsNullOrWhiteSpace(code) ? null : code);
        var check = await resetRules.ValidateAsync(request, cancellationToken);
        if (!check.IsValid)
            return Page("Choose a new password", ResetFields(request.Token, check.Errors[0].ErrorMessage), StatusCodes.Status400BadRequest);
        var result = await flows.ResetAsync(request.Token, request.Code, await passwords.HashAsync(request.NewPassword, cancellationToken), RequestOrigin.Of(HttpContext), cancellationToken);
        return result switch
        {
            { Outcome: FlowOutcome.Done } => Page("Password changed", "<p>Your password is changed and every session of your account has ended. Log in with the new password.</p>"),
            { Check.Outcome: SecretOutcome.Locked } => Page("Choose a new password", Error("Too many wrong codes: try again later."), StatusCodes.Status429TooManyRequests),
            { Check: { } refused } => Page("Choose a new password", ResetFields(request.Token, refused.Outcome == SecretOutcome.CodeRequired
                ? "This account has a second factor: enter a code from its authenticator app, or a recovery code."
                : "The code is wrong, expired or already used."), StatusCodes.Status400BadRequest),
            _ => Page("Choose a new password", Error(result.Detail ?? "This link is not valid."), StatusCodes.Status400BadRequest),
        };
    }

    private static string ResetFields(string token, string? error) =>
        (error is null ? "" : Error(error))
        + Form(EmailFlows.ResetPage, token,
            $"""
            <label for="newPassword">New password ({UserLimits.PasswordMinLength} to {UserLimits.PasswordMaxLength} characters)</label>
            <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required minlength="{UserLimits.PasswordMinLength}" maxlength="{UserLimits.PasswordMaxLength}">
            <label for="repeatPassword">The same again</label>
            <input id="repeatPassword" name="repeatPassword" type="password" autocomplete="new-password" required minlength="{UserLimits.PasswordMinLength}" maxlength="{UserLimits.PasswordMaxLength}">
            <label for="code">Code from your authenticator app, or a recovery code (only if your account has a second factor)</label>
            <input id="code" name="code" type="text" autocomplete="one-time-code" maxlength="{RecoveryCodes.MaxInputLength}">
            """, "Set my new password");

    private static string Form(string page, string token, string fields, string button) =>
        $"""<form method="post" action="/account/{page}"><input type="hidden" name="token" value="{Encode(token)}">{fields}<button type="submit">{Encode(button)}</button></form>""";

    private static string Error(string message) => $"""<p class="error" role="alert">{Encode(message)}</p>""";

    private ContentResult Page(string title, string body, int status = StatusCodes.Status200OK)
    {
        Response.Headers.ContentSecurityPolicy = Policy;
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Response.Headers.XFrameOptions = "DENY";
        return new ContentResult
        {
            StatusCode = status,
            ContentType = "text/html; charset=utf-8",
            Content = $"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{Encode(title)} · AuthKeys</title><style>{Style}</style></head><body><h1>{Encode(title)}</h1>{body}</body></html>""",
        };
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
