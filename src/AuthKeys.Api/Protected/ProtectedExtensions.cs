using System.Text.Json.Nodes;
using AuthKeys.Api.Infrastructure.OpenApi;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Protected;

public static class ProtectedExtensions
{
    /// <summary>The three demonstration routes (the controller); the caller's two shapes for OpenAPI.</summary>
    public static IServiceCollection AddAuthKeysProtected(this IServiceCollection services) =>
        services.AddOpenApiSchemaFilter<CallerSchemaFilter>();

    /// <summary>The two caller shapes told apart by their <c>type</c>.</summary>
    private sealed class CallerSchemaFilter : ISchemaFilter
    {
        private static readonly JsonNode[] CallerTypes = [JsonValue.Create(Caller.UserType), JsonValue.Create(Caller.ServiceType)];

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (context.Type == typeof(Caller) && schema.Properties?.TryGetValue("type", out var property) == true && property is OpenApiSchema callerType)
            {
                callerType.Enum = CallerTypes;
                callerType.ReadOnly = false; // computed here, but a plain field to clients
            }
            if (context.Type == typeof(ProtectedResponse) && schema.Properties?.TryGetValue("accessType", out var access) == true && access is OpenApiSchema accessType)
                accessType.Enum = CallerTypes;
        }
    }
}
