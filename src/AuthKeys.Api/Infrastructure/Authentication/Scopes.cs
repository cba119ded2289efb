using Microsoft.AspNetCore.Authorization;

namespace AuthKeys.Api.Infrastructure.Authentication;

/// <summary>
/// Requires the caller's key to carry <paramref name="scope"/> (in its space-separated <c>scope</c>
/// claim). Without it the answer is 403 problem details; without a key at all, the route's scheme
/// answers 401 as usual. Combine with the route's <c>[Authorize(AuthenticationSchemes = ...)]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class RequireScopeAttribute(string scope) : AuthorizeAttribute, IAuthorizationRequirementData
{
    public string Scope { get; } = scope;

    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new ScopeRequirement(Scope)];
}

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.FindFirst(AuthClaims.Scope)?.Value is { } scopes && Carries(scopes, requirement.Scope))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }

    public static bool Carries(string scopes, string scope)
    {
        foreach (var range in scopes.AsSpan().Split(' '))
        {
            if (scopes.AsSpan()[range].SequenceEqual(scope))
                return true;
        }
        return false;
    }
}
