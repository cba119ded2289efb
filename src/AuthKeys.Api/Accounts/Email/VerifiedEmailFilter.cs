using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Errors;
using AuthKeys.Api.Infrastructure.OpenApi;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

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
        RequestLog.Refused(http, "email_not_verified");
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

/// <summary>Declares the 403 of <see cref="VerifiedEmailFilter"/> on the routes a JWT reaches outside /auth.</summary>
internal sealed class VerifiedEmailOperationFilter : IOperationFilter
{
    private const string Description = "With EMAIL_VERIFICATION_REQUIRED: the account's address is not verified yet (type ending in email-not-verified).";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var schemes = ResponsesOperationFilter.AcceptedSchemes(context.MethodInfo);
        if (!schemes.Contains(AuthSchemes.Jwt) || context.ApiDescription.RelativePath?.StartsWith("auth/", StringComparison.Ordinal) != false)
            return;
        if (operation.Responses?.TryGetValue("403", out var existing) == true && existing is OpenApiResponse forbidden)
            forbidden.Description += " " + Description;
        else
            ResponsesOperationFilter.Add(operation, context, StatusCodes.Status403Forbidden, Description);
    }
}
