using System.Reflection;
using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Infrastructure.OpenApi;

/// <summary>Marks an action that never touches the database, so it cannot answer 503.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoDatabaseAttribute : Attribute;

/// <summary>
/// Declares what the pipeline adds around every action, so the document lists every response the
/// service can send: security and 401 from [Authorize], 429 where the API-key throttle runs,
/// 400/413/415 where a JSON body is read, 400 where a UUID is bound, 503 where PostgreSQL is
/// needed. Only JSON media types.
/// </summary>
public sealed class ResponsesOperationFilter : IOperationFilter
{
    private const string Json = "application/json";
    private const string ProblemJson = "application/problem+json";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= [];
        var schemes = AcceptedSchemes(context.MethodInfo);
        if (schemes.Length > 0)
        {
            operation.Security = [.. schemes.Select(scheme => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [],
            })];
            Add(operation, context, 401, "Missing, invalid, expired or revoked credentials.");
            if (schemes.Contains(AuthSchemes.ApiKey))
                Add(operation, context, 429, "Too many failed API-key attempts from this address, or the key has no uses left (type ending in usage-exceeded); see Retry-After.");
            if (context.MethodInfo.GetCustomAttributes<RequireScopeAttribute>(true).Any())
                Add(operation, context, 403, "The API key does not carry the scope this route requires.");
        }
        else
        {
            operation.Security = [new OpenApiSecurityRequirement()]; // anonymous: no credentials needed
        }

        if (operation.RequestBody is OpenApiRequestBody body)
        {
            body.Content = Only(body.Content, Json);
            body.Required = context.ApiDescription.ParameterDescriptions
                .FirstOrDefault(p => p.Source == BindingSource.Body)?.BindingInfo?.EmptyBodyBehavior != EmptyBodyBehavior.Allow;
            Add(operation, context, 400, "The body is malformed or fails validation; errors are keyed by field.", typeof(ValidationProblemDetails));
            Add(operation, context, 413, "The body is larger than 64 KiB.");
            Add(operation, context, 415, "The body is not application/json.");
        }

        if (context.ApiDescription.ParameterDescriptions.Any(p => p.Type == typeof(Guid)))
            Add(operation, context, 400, "An id in the path is not a UUID.", typeof(ValidationProblemDetails));
        // Every id is a UUID. Keys and sessions bind theirs as text only to answer a malformed one with
        // 404, as the reference does; clients should still see (and generate) a UUID.
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter is { In: ParameterLocation.Path, Name: "id", Schema: OpenApiSchema { Type: JsonSchemaType.String, Format: null } id })
                id.Format = "uuid";
        }

        if (context.MethodInfo.GetCustomAttribute<NoDatabaseAttribute>() is null)
            Add(operation, context, 503, "The database is unavailable; retry after a moment.");

        foreach (var (status, response) in operation.Responses.Select(r => (r.Key, r.Value as OpenApiResponse)))
        {
            if (response is null)
                continue;
            if (response.Content is { Count: > 0 })
                response.Content = Only(response.Content, Json, ProblemJson);
            DeclareHeaders(status, response, keyAccepted: schemes.Contains(AuthSchemes.ApiKey));
        }
    }

    /// <summary>The headers the pipeline sends with a status, so that clients can read them typed.</summary>
    private static void DeclareHeaders(string status, OpenApiResponse response, bool keyAccepted)
    {
        switch (status)
        {
            case "201":
                Header(response, "Location", "Where the created resource is.", JsonSchemaType.String);
                break;
            case "401":
                Header(response, "WWW-Authenticate", "The scheme(s) this route accepts: Bearer, ApiKey.", JsonSchemaType.String);
                break;
            case "429":
            case "503":
                Header(response, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);
                break;
        }
        if (keyAccepted && status is "200" or "429")
        {
            Header(response, "RateLimit-Policy", "Only for an API key with a rate limit: \"key\";q=<limit>;w=<window seconds>.", JsonSchemaType.String);
            Header(response, "RateLimit", "Only for an API key with a rate limit: \"key\";r=<uses left>;t=<seconds to reset>.", JsonSchemaType.String);
        }
    }

    private static void Header(OpenApiResponse response, string name, string description, JsonSchemaType type)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers.TryAdd(name, new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } });
    }

    /// <summary>The schemes an action's <c>[Authorize]</c> accepts; none for an anonymous one.</summary>
    public static string[] AcceptedSchemes(MethodInfo method)
    {
        var schemes = method.GetCustomAttributes<AuthorizeAttribute>(true)
            .Concat(method.DeclaringType!.GetCustomAttributes<AuthorizeAttribute>(true))
            .Select(a => a.AuthenticationSchemes)
            .FirstOrDefault(schemes => schemes is not null);
        return schemes switch
        {
            null => [],
            AuthSchemes.JwtOrApiKey => [AuthSchemes.Jwt, AuthSchemes.ApiKey],
            _ => [schemes],
        };
    }

    /// <summary>Declares a problem-details response unless the operation has one for <paramref name="status"/> already.</summary>
    public static void Add(OpenApiOperation operation, OperationFilterContext context, int status, string description, Type? type = null)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
            return;
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemJson] = new() { Schema = context.SchemaGenerator.GenerateSchema(type ?? typeof(ProblemDetails), context.SchemaRepository) },
            },
        };
    }

    private static Dictionary<string, OpenApiMediaType> Only(IDictionary<string, OpenApiMediaType>? content, params string[] mediaTypes) =>
        (content ?? new Dictionary<string, OpenApiMediaType>()).Where(c => mediaTypes.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value);
}
