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
        var caller = new Caller(User.GetUserId(), User.GetEmail(), User.GetKeyId());
        return new ProtectedResponse(message, caller, caller.Type);
    }
}

/// <param name="Message">What the route is for.</param>
/// <param name="User">Who called.</param>
/// <param name="AccessType">The caller's <c>type</c>: <c>user</c> or <c>service</c>.</param>
public sealed record ProtectedResponse(string Message, Caller User, string AccessType);

/// <summary>
/// The caller: a person with a JWT (<c>type</c> is <c>user</c>) or a service with one of the
/// person's API keys (<c>type</c> is <c>service</c>, with <c>keyId</c>). One flat shape rather than
/// a union, because generated clients type a flat shape correctly and a union unevenly.
/// </summary>
/// <param name="UserId">The person's id.</param>
/// <param name="Email">The person's email.</param>
/// <param name="KeyId">The API key used; only for a service.</param>
public sealed record Caller(
    Guid UserId,
    string Email,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonPropertyOrder(1)] Guid? KeyId)
{
    public const string UserType = "user";
    public const string ServiceType = "service";

    /// <summary><c>user</c> or <c>service</c>.</summary>
    public string Type => KeyId is null ? UserType : ServiceType;
}
