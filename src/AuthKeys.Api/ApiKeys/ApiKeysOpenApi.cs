using System.Reflection;
using System.Text.Json.Nodes;
using AuthKeys.Api.Infrastructure.OpenApi;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.ApiKeys;

internal static class ApiKeysOpenApi
{
    private const string ExampleKey = "sk_3f9a1c2b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4fe415b73";

    /// <summary>A key's creation as Swagger UI's "Try it out" offers it, and the form of a scope.</summary>
    public static IServiceCollection AddApiKeysOpenApi(this IServiceCollection services) => services
        .AddOpenApiSchemaFilter<ScopeListSchemaFilter>()
        .AddOpenApiExample<CreateApiKeyRequest>(() => new JsonObject
        {
            ["name"] = "billing-service",
            ["expiresAt"] = "2030-12-31T23:59:59Z",
            ["scopes"] = new JsonArray("demo:read"),
            ["meta"] = new JsonObject { ["customer"] = "c-42" },
            ["rateLimit"] = new JsonObject { ["limit"] = 100, ["windowSeconds"] = 60 },
        })
        .AddOpenApiExample<CreatedApiKeyResponse>(() => new JsonObject
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
        });
}

/// <summary>Every list of scopes in the keys' shapes says what one scope may be, as the validators check it.</summary>
internal sealed class ScopeListSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.MemberInfo is PropertyInfo { Name: "Scopes" or "RequiredScopes" } property
            && property.DeclaringType?.Namespace == typeof(ScopeListSchemaFilter).Namespace
            && schema is OpenApiSchema { Items: OpenApiSchema item } && item.Type == JsonSchemaType.String)
        {
            item.MaxLength = ApiKeyLimits.ScopeMaxLength;
            item.Pattern = ApiKeyLimits.ScopePattern;
        }
    }
}
