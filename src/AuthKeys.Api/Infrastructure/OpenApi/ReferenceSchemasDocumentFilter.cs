using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Infrastructure.OpenApi;

/// <summary>
/// Swashbuckle wraps every referenced schema in allOf so that a reference can carry a description
/// or be nullable (OpenAPI 3.0 ignores anything beside a bare $ref); a wrapper that adds nothing
/// becomes the plain reference again, and a request body's wrapper gives its description to the
/// body. A nullable one stays <c>allOf</c> + <c>nullable</c> without
/// a <c>type</c>: that is what NSwag, Kiota and openapi-typescript read as "this type or null",
/// while adding <c>type: object</c> makes NSwag and Kiota generate a new subtype per property
/// (docs/redocly.yaml says why its rule asking for the type is off).
/// </summary>
internal sealed class ReferenceSchemasDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var components = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var schema in components.Values.OfType<OpenApiSchema>())
        {
            foreach (var name in schema.Properties?.Keys.ToArray() ?? [])
            {
                if (schema.Properties![name] is not OpenApiSchema { AllOf: [OpenApiSchemaReference reference] } wrapper)
                    continue;
                if (wrapper.Type is null && wrapper.Description is null)
                    schema.Properties[name] = reference;
            }
        }

        var operations = document.Paths?.Values.SelectMany(path => path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()) ?? [];
        foreach (var body in operations.Select(o => o.RequestBody).OfType<OpenApiRequestBody>())
        {
            foreach (var media in body.Content?.Values ?? [])
            {
                if (media.Schema is OpenApiSchema { AllOf: [OpenApiSchemaReference reference] } wrapper && wrapper.Type is null)
                {
                    body.Description ??= wrapper.Description;
                    media.Schema = reference;
                }
            }
        }
    }
}
