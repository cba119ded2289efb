using System.Reflection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.OAuth;

/// <summary>The action reads a form-encoded body of this shape itself (OAuth's errors, not problem details, answer a bad one).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class FormBodyAttribute(Type shape) : Attribute
{
    public Type Shape { get; } = shape;
}

/// <summary>Documents the form body of <see cref="FormBodyAttribute"/> actions, as OAuth clients send it.</summary>
internal sealed class FormBodyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.MethodInfo.GetCustomAttribute<FormBodyAttribute>() is not { } form)
            return;
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/x-www-form-urlencoded"] = new() { Schema = context.SchemaGenerator.GenerateSchema(form.Shape, context.SchemaRepository) },
            },
        };
        foreach (var (status, description) in Descriptions)
        {
            if (operation.Responses?.TryGetValue(status, out var declared) == true && declared is OpenApiResponse response)
                response.Description = description;
        }
        if (operation.Responses?.TryGetValue("401", out var unauthorized) == true && unauthorized is OpenApiResponse { Headers: { } headers }
            && headers.TryGetValue("WWW-Authenticate", out var challenge) && challenge is OpenApiHeader header)
            header.Description = "Basic realm=\"authkeys\": authenticate the client (the API key's id and the key) with HTTP Basic or in the form.";
    }

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["400"] = "OAuth's invalid_request (not a form, a parameter missing, repeated or too long), unsupported_grant_type or invalid_scope.",
        ["401"] = "OAuth's invalid_client: no client authentication, an unknown, revoked or expired key, or (introspection) a key without tokens:introspect.",
        ["429"] = "The key's rate limit (rate_limited) or quota (usage_exceeded) refuses, or this address failed too many keys; see Retry-After.",
    };
}
