using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AuthKeys.Api.Infrastructure.Authentication;

/// <summary>
/// Every protected route here asks for one thing: an authenticated caller from one scheme. The
/// framework's evaluator answers that through the general authorization pipeline (handler
/// context, handler resolution, requirement iteration, a merged principal and a new ticket per
/// request), which costs more per request than our own key check. For that policy this
/// evaluator gives the same answers directly; any other policy goes to the framework's.
/// </summary>
internal sealed class AuthenticatedUserPolicyEvaluator : IPolicyEvaluator
{
    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context)
    {
        if (policy.AuthenticationSchemes is not [var scheme])
            return General(context).AuthenticateAsync(policy, context);
        return AuthenticateWithAsync(scheme, context);
    }

    private static async Task<AuthenticateResult> AuthenticateWithAsync(string scheme, HttpContext context)
    {
        var result = await context.AuthenticateAsync(scheme);
        if (result.Succeeded)
        {
            context.User = result.Principal;
            return result;
        }
        // As the framework does: an anonymous user, and "no result" for the authorization step.
        context.User = new ClaimsPrincipal(new ClaimsIdentity());
        return AuthenticateResult.NoResult();
    }

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
    {
        if (policy.Requirements is not [DenyAnonymousAuthorizationRequirement])
            return General(context).AuthorizeAsync(policy, authenticationResult, context, resource);
        // DenyAnonymousAuthorizationRequirement's own test, and the framework's answers when it fails.
        if (context.User.Identities.Any(i => i.IsAuthenticated))
            return Task.FromResult(PolicyAuthorizationResult.Success());
        return Task.FromResult(authenticationResult.Succeeded ? PolicyAuthorizationResult.Forbid() : PolicyAuthorizationResult.Challenge());
    }

    /// <summary>The framework's evaluator, with the request's own authorization services (handlers may be scoped).</summary>
    private static PolicyEvaluator General(HttpContext context) =>
        new(context.RequestServices.GetRequiredService<IAuthorizationService>());
}
