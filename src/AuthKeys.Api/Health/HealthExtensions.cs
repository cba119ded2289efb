using System.Text.Json.Nodes;
using AuthKeys.Api.Infrastructure.OpenApi;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Health;

public static class HealthExtensions
{
    /// <summary>Liveness and readiness probes (the controller); their schema's values for OpenAPI.</summary>
    public static IServiceCollection AddAuthKeysHealth(this IServiceCollection services) =>
        services.AddOpenApiSchemaFilter<ReadinessSchemaFilter>();

    private sealed class ReadinessSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (context.Type != typeof(ReadinessResponse) || schema.Properties is not { } properties)
                return;
            if (properties.TryGetValue("listener", out var listener) && listener is OpenApiSchema listenerSchema)
                listenerSchema.Enum = [JsonValue.Create(ReadinessResponse.Up), JsonValue.Create(ReadinessResponse.Down)];
            if (properties.TryGetValue("mail", out var mail) && mail is OpenApiSchema mailSchema)
                mailSchema.Enum = [JsonValue.Create(ReadinessResponse.Configured), JsonValue.Create(ReadinessResponse.NotConfigured)];
        }
    }
}
