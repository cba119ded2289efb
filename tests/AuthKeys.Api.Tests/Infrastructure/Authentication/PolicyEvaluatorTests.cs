using System.Security.Claims;
using AuthKeys.Api.Tests.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AuthKeys.Api.Tests.Infrastructure.Authentication;

/// <summary>
/// The service answers "an authenticated caller" policies itself and every other policy through
/// the framework; both must give the framework's answers.
/// </summary>
public sealed class PolicyEvaluatorTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private static readonly AuthorizationPolicy AuthenticatedCaller = new AuthorizationPolicyBuilder("ApiKey").RequireAuthenticatedUser().Build();
    private static readonly AuthorizationPolicy AdminsOnly = new AuthorizationPolicyBuilder("ApiKey").RequireAuthenticatedUser().RequireRole("admin").Build();

    private static readonly ClaimsPrincipal Caller = new(new ClaimsIdentity([new Claim("sub", "someone")], "ApiKey"));
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    [Theory]
    [InlineData(true, true, "success")]
    [InlineData(false, false, "challenge")]
    [InlineData(false, true, "forbid")] // authenticated, yet the user carries no authenticated identity
    public async Task AnAuthenticatedCallerPolicyGetsTheFrameworksAnswers(bool authenticatedUser, bool authenticationSucceeded, string expected)
    {
        var result = await AuthorizeAsync(AuthenticatedCaller, authenticatedUser ? Caller : Anonymous, authenticationSucceeded);
        Assert.Equal(expected, Describe(result));
    }

    [Fact]
    public async Task OtherPoliciesStillRunTheirRequirements()
    {
        Assert.Equal("forbid", Describe(await AuthorizeAsync(AdminsOnly, Caller, authenticationSucceeded: true)));
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "admin")], "ApiKey"));
        Assert.Equal("success", Describe(await AuthorizeAsync(AdminsOnly, admin, authenticationSucceeded: true)));
    }

    private async Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, ClaimsPrincipal user, bool authenticationSucceeded)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, User = user };
        var authentication = authenticationSucceeded ? AuthenticateResult.Success(new AuthenticationTicket(user, "ApiKey")) : AuthenticateResult.NoResult();
        var ours = await scope.ServiceProvider.GetRequiredService<IPolicyEvaluator>().AuthorizeAsync(policy, authentication, context, resource: null);
        var framework = await new PolicyEvaluator(scope.ServiceProvider.GetRequiredService<IAuthorizationService>()).AuthorizeAsync(policy, authentication, context, resource: null);
        Assert.Equal(Describe(framework), Describe(ours));
        return ours;
    }

    private static string Describe(PolicyAuthorizationResult result) =>
        result.Succeeded ? "success" : result.Challenged ? "challenge" : result.Forbidden ? "forbid" : "?";
}
