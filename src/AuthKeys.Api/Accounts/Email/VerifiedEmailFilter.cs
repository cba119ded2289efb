using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>
/// With EMAIL_VERIFICATION_REQUIRED, a JWT of an unverified account reaches only /auth/* (where it
/// can verify, resend, or change the address); elsewhere it gets 403. A token says whether the
/// address was verified when it was issued; one that says no is checked against the account
/// once, so that verifying takes effect without a refresh. API keys are not affected.
/// </summary>
internal sealed class VerifiedEmailFilter : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        if (http.User.FindFirstValue(AuthClaims.EmailVerified) != "false" || http.Request.Path.StartsWithSegments("/auth"))
            return;
        var db = http.RequestServices.GetRequiredService<AppDbContext>();
        var userId = http.User.GetUserId();
        if (await db.Users.AnyAsync(u => u.Id == userId && u.EmailVerifiedAt != null, http.RequestAborted))
            return;
        var problem = http.RequestServices.GetRequiredService<ProblemDetailsFactory>().CreateProblemDetails(http, StatusCodes.Status403Forbidden,
            "Email not verified", ProblemTypes.EmailNotVerified, "Verify your email address first: use the link sent to it, or ask for a new one with POST /auth/verify-email/send.");
        context.Result = new ObjectResult(problem) { StatusCode = StatusCodes.Status403Forbidden, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>Adds the filter only when verification is required: otherwise it costs nothing.</summary>
    internal sealed class Setup(IOptions<EmailOptions> email) : IConfigureOptions<MvcOptions>
    {
        public void Configure(MvcOptions options)
        {
            if (email.Value.VerificationRequired)
                options.Filters.Add(new VerifiedEmailFilter());
        }
    }
}
