using System.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthKeys.Api.Infrastructure.Errors;

public static class ErrorsExtensions
{
    /// <summary>RFC 9457 problem details for every error, including bare status codes (401, 404, 405).</summary>
    public static IServiceCollection AddAuthKeysErrors(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (context.HttpContext.Items.TryGetValue(typeof(ProblemOverride), out var value) && value is ProblemOverride custom && custom.Status == problem.Status)
                (problem.Type, problem.Title, problem.Detail) = (custom.Type, custom.Title, custom.Detail);
            problem.Type ??= ProblemTypes.For(problem.Status);
            problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status ?? 500);
            problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        return services;
    }
}

/// <summary>
/// What a handler that sets only a status (an authentication handler's challenge) wants its problem
/// to say: put it in <c>HttpContext.Items[typeof(ProblemOverride)]</c>.
/// </summary>
public sealed record ProblemOverride(int Status, string Type, string Title, string Detail);

public static class ProblemTypes
{
    public const string UsageExceeded = "urn:authkeys:problem:usage-exceeded";
    public const string EmailNotVerified = "urn:authkeys:problem:email-not-verified";
    public const string MfaRequired = "urn:authkeys:problem:mfa-required";

    public static string? For(int? status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => null,
    };
}
