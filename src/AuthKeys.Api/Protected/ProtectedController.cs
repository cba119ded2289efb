using System.Text.Json.Serialization;
using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.Protected;

/// <summary>Demonstration routes for each kind of caller.</summary>
[ApiController]
[Route("protected")]
[Tags("Protected routes")]
public sealed class ProtectedController : ControllerBase
{
    /// <summary>Users only: a JWT is required; an API key alone is refused.</summary>
    [HttpGet("user-only")]
    [Authorize(AuthenticationSchemes = AuthSchemes.Jwt)]
    [ProducesResponseType<ProtectedResponse>(StatusCodes.Status200OK)]
    public ProtectedResponse GetUserOnly() => Describe("This is a user-only route");

    /// <summary>Services only: an API key is required; a JWT alone is refused.</summary>
    [HttpGet("service-only")]
    [Authorize(AuthenticationSchemes = AuthSchemes.ApiKey)]
    [ProducesResponseType<ProtectedResponse>(StatusCodes.Status200OK)]
    public ProtectedResponse GetServiceOnly() => Describe("This is a service-only route");

    /// <summary>Either a JWT or an API key; the key wins when both are sent.</summary>
    [HttpGet("flexible")]
    [Authorize(AuthenticationSchemes = AuthSchemes.JwtOrApiKey)]
    [ProducesResponseType<ProtectedResponse>(StatusCodes.Status200OK)]
    public ProtectedResponse GetFlexible() => Describe("This route accepts both users and services");

    /// <summary>Services whose key carries the scope <c>demo:read</c>; any other key gets 403.</summary>
    [HttpGet("scoped")]
    [Authorize(AuthenticationSchemes = AuthSchemes.ApiKey)]
    [RequireScope("demo:read")]
    [ProducesResponseType<ProtectedResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public ProtectedResponse GetScoped() => Describe("This route needs the demo:read scope");

    private ProtectedResponse Describe(string message)
    {
        var keyId = User.GetKeyId();
        Caller caller = keyId is null
            ? new UserCaller(User.GetUserId(), User.GetEmail())
            : new ServiceCaller(User.GetUserId(), User.GetEmail(), keyId.Value);
        return new ProtectedResponse(message, caller, caller.Type);
    }
}

public sealed record ProtectedResponse(string Message, Caller User, string AccessType);

[JsonPolymorphic]
[JsonDerivedType(typeof(UserCaller))]
[JsonDerivedType(typeof(ServiceCaller))]
public abstract record Caller(Guid UserId, string Email, string Type);

/// <summary>A person, authenticated by a JWT.</summary>
public sealed record UserCaller(Guid UserId, string Email) : Caller(UserId, Email, Kind)
{
    public const string Kind = "user";
}

/// <summary>A service, authenticated by one of the user's API keys.</summary>
public sealed record ServiceCaller(Guid UserId, string Email, Guid KeyId) : Caller(UserId, Email, Kind)
{
    public const string Kind = "service";
}
