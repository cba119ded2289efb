using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Infrastructure.OpenApi;

/// <summary>A realistic example of one request or response type, registered by the feature that owns it.</summary>
public sealed record SchemaExample(Type Type, Func<JsonNode> Example);

/// <summary>The features' examples, for Swagger UI's "Try it out" and generated clients' docs.</summary>
internal sealed class ExamplesSchemaFilter(IEnumerable<SchemaExample> examples) : ISchemaFilter
{
    private readonly Dictionary<Type, Func<JsonNode>> _examples = examples.ToDictionary(e => e.Type, e => e.Example);

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && _examples.TryGetValue(context.Type, out var example))
            concrete.Example = example();
    }
}

/// <summary>
/// Response schemas as the service really answers: every property present (null when empty) unless
/// it is left out when null, and room for additions.
/// </summary>
internal sealed class ResponseShapeSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete || context.Type.Namespace?.StartsWith("AuthKeys.Api", StringComparison.Ordinal) != true)
            return;
        // Clients must tolerate fields added later; the service ignores unknown request fields too.
        concrete.AdditionalPropertiesAllowed = true;
        concrete.AdditionalProperties = null;

        var isRequest = context.Type.Name.EndsWith("Request", StringComparison.Ordinal);
        if (!isRequest && concrete.Properties is { Count: > 0 } properties)
        {
            concrete.Required ??= new HashSet<string>();
            foreach (var name in properties.Keys)
                concrete.Required.Add(name);
        }
        // A property left out when null (JsonIgnoreCondition.WhenWritingNull) is not always there.
        foreach (var omitted in OmittedWhenNull(context.Type))
            concrete.Required?.Remove(omitted);
    }

    private static IEnumerable<string> OmittedWhenNull(Type type) =>
        type.GetProperties()
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.WhenWritingNull)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
}

/// <summary>
/// A problem with more members (a validation problem's <c>errors</c>, a login's <c>mfaToken</c>)
/// as allOf the plain problem plus its own members, so that generators build one error type and
/// subtypes of it, rather than unions they cannot throw.
/// </summary>
internal sealed class ProblemSubtypeSchemaFilter : ISchemaFilter
{
    private static readonly HashSet<string> ProblemMembers =
        typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema { Properties: { } properties } concrete || context.Type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails)
            || !typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.Type))
            return;
        var own = properties.Where(p => !ProblemMembers.Contains(p.Key)).ToDictionary();
        concrete.AllOf = [context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository)];
        concrete.Properties = own;
        concrete.Required = own.Keys.Where(name => concrete.Required?.Contains(name) == true).ToHashSet();
    }
}
