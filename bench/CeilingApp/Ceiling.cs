using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CeilingApp;

/// <summary>Every request authenticates as the same user, whatever it sends.</summary>
internal sealed class CachedPrincipalHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "Ceiling";

    private static readonly AuthenticateResult Success = AuthenticateResult.Success(new AuthenticationTicket(
        new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "01a2228f-b892-7765-bb11-695bda289e0e"), new Claim("email", "bench@example.com")], Name)),
        Name));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(Success);
}

[ApiController]
public sealed class CeilingController : ControllerBase
{
    private static readonly Guid KeyId = Guid.Parse("01a2228f-c0de-7a11-9b2e-5d3c1f0e4a77");

    [HttpGet("/health")]
    public Health GetHealth() => new("ok", DateTimeOffset.UtcNow);

    [HttpGet("/protected/user-only")]
    [Authorize]
    public Protected GetUserOnly() => Describe("This is a user-only route", keyId: null);

    [HttpGet("/protected/service-only")]
    [Authorize]
    public Protected GetServiceOnly() => Describe("This is a service-only route", KeyId);

    [HttpGet("/protected/flexible")]
    [Authorize]
    public Protected GetFlexible() => Describe("This route accepts both users and services", Request.Headers.ContainsKey("x-api-key") ? KeyId : null);

    // The same request and answer as AuthKeys' POST /keys/verify (a JSON body bound and validated by
    // MVC, a JSON answer), with nothing looked up: what the stack costs for that shape of request.
    [HttpPost("/keys/verify")]
    [Authorize]
    public VerifyKeyResponse Verify(VerifyKeyRequest request) =>
        request.Key.Length > 0 ? Verified : VerifyKeyResponse.NotFound;

    private static readonly VerifyKeyResponse Verified = new(true, "VALID", KeyId, Guid.Parse("01a2228f-b892-7765-bb11-695bda289e0e"),
        "bench", [], null, null, null, null);

    private Protected Describe(string message, Guid? keyId)
    {
        var caller = new Caller(Guid.Parse(User.FindFirstValue("sub")!), User.FindFirstValue("email")!, keyId);
        return new Protected(message, caller, caller.Type);
    }
}

public sealed record VerifyKeyRequest([Required, MaxLength(256)] string Key, List<string>? RequiredScopes = null);

public sealed record VerifyRateLimit(int Limit, long Remaining, DateTimeOffset ResetAt);

public sealed record VerifyKeyResponse(
    bool Valid, string Code, Guid? KeyId, Guid? OwnerId, string? Name, IReadOnlyList<string>? Scopes, JsonElement? Meta,
    DateTimeOffset? ExpiresAt, int? Remaining, VerifyRateLimit? RateLimit)
{
    public static readonly VerifyKeyResponse NotFound = new(false, "NOT_FOUND", null, null, null, null, null, null, null, null);
}

public sealed record Health(string Status, DateTimeOffset Timestamp);

public sealed record Protected(string Message, Caller User, string AccessType);

public sealed record Caller(Guid UserId, string Email,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull),
               JsonPropertyOrder(1)] Guid? KeyId)
{
    public string Type => KeyId is null ? "user" : "service";
}
