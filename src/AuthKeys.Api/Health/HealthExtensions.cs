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
            if (context.Type == typeof(ReadinessResponse) && schema.Properties?.TryGetValue("listener", out var property) == true && property is OpenApiSchema listener)
                listener.Enum = [JsonValue.Create(ReadinessResponse.Up), JsonValue.Create(ReadinessResponse.Down)];
        }
    }
}
