using System.Text.Json.Nodes;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Auth;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Infrastructure.OpenApi;

/// <summary>Realistic examples for Swagger UI's "Try it out" and generated clients' docs.</summary>
internal sealed class ExamplesSchemaFilter : ISchemaFilter
{
    private const string ExampleKey = "sk_3f9a1c2b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4fe415b73";

    private static readonly Dictionary<Type, Func<JsonNode>> Examples = new()
    {
        [typeof(SignupRequest)] = () => new JsonObject { ["email"] = "jane@example.com", ["password"] = "Tangerine-Kite-42", ["name"] = "Jane Doe" },
        [typeof(LoginRequest)] = () => new JsonObject { ["email"] = "jane@example.com", ["password"] = "Tangerine-Kite-42" },
        [typeof(RefreshRequest)] = () => new JsonObject { ["refreshToken"] = "rt_SM1IreSkNp0fhpwEqDRLIc7kW17Pan4Mykp0nOMRSuY" },
        [typeof(CreateApiKeyRequest)] = () => new JsonObject
        {
            ["name"] = "billing-service",
            ["expiresAt"] = "2030-12-31T23:59:59Z",
            ["scopes"] = new JsonArray("demo:read"),
            ["meta"] = new JsonObject { ["customer"] = "c-42" },
            ["rateLimit"] = new JsonObject { ["limit"] = 100, ["windowSeconds"] = 60 },
        },
        [typeof(CreatedApiKeyResponse)] = () => new JsonObject
        {
            ["id"] = "01a2228f-b892-7765-bb11-695bda289e0e",
            ["key"] = ExampleKey,
            ["name"] = "billing-service",
            ["prefix"] = ExampleKey[..ApiKeyFormat.PrefixLength],
            ["expiresAt"] = "2030-12-31T23:59:59.000Z",
            ["createdAt"] = "2026-11-28T14:29:33.970Z",
            ["scopes"] = new JsonArray("demo:read"),
            ["meta"] = new JsonObject { ["customer"] = "c-42" },
            ["rateLimit"] = new JsonObject { ["limit"] = 100, ["windowSeconds"] = 60 },
            ["remaining"] = 1000,
            ["refill"] = new JsonObject { ["amount"] = 1000, ["interval"] = "monthly" },
        },
        [typeof(Webhooks.CreateWebhookRequest)] = () => new JsonObject
        {
            ["url"] = "https://hooks.example.com/authkeys",
            ["events"] = new JsonArray("key.revoked", "key.expiring"),
        },
        [typeof(Webhooks.CreatedWebhookResponse)] = () => new JsonObject
        {
            ["id"] = "01a2228f-c0de-7a11-9b2e-5d3c1f0e4a77",
            ["url"] = "https://hooks.example.com/authkeys",
            ["events"] = new JsonArray("key.revoked", "key.expiring"),
            ["secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1Rj2oGJ1H8M=",
            ["createdAt"] = "2026-11-29T21:40:12.345Z",
        },
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var example))
            concrete.Example = example();
    }
}

/// <summary>
/// Response schemas as the service really answers: every property present (null when empty, never
/// omitted), room for additions, and the two caller shapes told apart by their <c>type</c>.
/// </summary>
internal sealed class ResponseShapeSchemaFilter : ISchemaFilter
{
    private static readonly JsonNode[] CallerTypes = [JsonValue.Create(Protected.Caller.UserType), JsonValue.Create(Protected.Caller.ServiceType)];

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

        if (context.Type == typeof(Health.ReadinessResponse) && concrete.Properties is { } readiness && readiness.TryGetValue("listener", out var property) && property is OpenApiSchema listener)
            listener.Enum = [JsonValue.Create(Health.ReadinessResponse.Up), JsonValue.Create(Health.ReadinessResponse.Down)];
        if (context.Type.Namespace == typeof(Webhooks.Webhook).Namespace && concrete.Properties is { } webhook)
        {
            if (webhook.TryGetValue("events", out var events) && events is OpenApiSchema { Items: OpenApiSchema } list)
                list.Items = WebhookEventType(context.SchemaRepository);
            if (webhook.TryGetValue("status", out var status) && status is OpenApiSchema deliveryStatus)
                deliveryStatus.Enum = [JsonValue.Create(Webhooks.DeliveryStatus.Pending), JsonValue.Create(Webhooks.DeliveryStatus.Delivered), JsonValue.Create(Webhooks.DeliveryStatus.Failed)];
        }

        if (context.Type == typeof(Protected.Caller) && concrete.Properties is { } caller)
        {
            // keyId is sent for a service only: optional, so that a user's caller reads as no key.
            concrete.Required!.Remove("keyId");
            if (caller["type"] is OpenApiSchema callerType)
            {
                callerType.Enum = CallerTypes;
                callerType.ReadOnly = false; // computed here, but a plain field to clients
            }
        }
        if (context.Type == typeof(Protected.ProtectedResponse) && concrete.Properties?["accessType"] is OpenApiSchema accessType)
            accessType.Enum = CallerTypes;
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
                Enum = [.. Audit.EventTypes.Subscribable.Select(e => (JsonNode)JsonValue.Create(e))],
            });
    }
}

/// <summary>
/// A validation problem as a problem with <c>errors</c> (allOf the plain problem), so that
/// generators build one error type and a subtype of it, rather than a union they cannot throw.
/// </summary>
internal sealed class ValidationProblemSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete || !typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails).IsAssignableFrom(context.Type)
            || concrete.Properties?.TryGetValue("errors", out var errors) != true)
            return;
        concrete.AllOf = [context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository)];
        concrete.Properties = new Dictionary<string, IOpenApiSchema> { ["errors"] = errors! };
        concrete.Required = new HashSet<string> { "errors" };
    }
}
