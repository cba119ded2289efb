using System.Text.Json.Nodes;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.OpenApi;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Webhooks;

internal static class WebhooksOpenApi
{
    /// <summary>Examples of a registration, and the event and status values as enums.</summary>
    public static IServiceCollection AddWebhooksOpenApi(this IServiceCollection services) => services
        .AddOpenApiExample<CreateWebhookRequest>(() => new JsonObject
        {
            ["url"] = "https://hooks.example.com/authkeys",
            ["events"] = new JsonArray("key.revoked", "key.expiring"),
        })
        .AddOpenApiExample<CreatedWebhookResponse>(() => new JsonObject
        {
            ["id"] = "01a2228f-c0de-7a11-9b2e-5d3c1f0e4a77",
            ["url"] = "https://hooks.example.com/authkeys",
            ["events"] = new JsonArray("key.revoked", "key.expiring"),
            ["secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1Rj2oGJ1H8M=",
            ["createdAt"] = "2026-11-29T21:40:12.345Z",
        })
        .AddOpenApiSchemaFilter<WebhookSchemaFilter>();

    private sealed class WebhookSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (context.Type.Namespace != typeof(Webhook).Namespace || schema.Properties is not { } properties)
                return;
            if (properties.TryGetValue("events", out var events) && events is OpenApiSchema { Items: OpenApiSchema } list)
                list.Items = WebhookEventType(context.SchemaRepository);
            if (properties.TryGetValue("status", out var status) && status is OpenApiSchema deliveryStatus)
                deliveryStatus.Enum = [JsonValue.Create(DeliveryStatus.Pending), JsonValue.Create(DeliveryStatus.Delivered), JsonValue.Create(DeliveryStatus.Failed)];
        }

        /// <summary>One named enum for the three webhook schemas, so that generators make one type of it.</summary>
        private static OpenApiSchemaReference WebhookEventType(SchemaRepository repository)
        {
            const string id = "WebhookEventType";
            return repository.Schemas.ContainsKey(id)
                ? new OpenApiSchemaReference(id)
                : repository.AddDefinition(id, new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "An event a webhook can subscribe to.",
                    Enum = [.. EventTypes.Subscribable.Select(e => (JsonNode)JsonValue.Create(e))],
                });
        }
    }
}
