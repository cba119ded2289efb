using System.Text.Json.Nodes;
using AuthKeys.Api.Infrastructure.OpenApi;

namespace AuthKeys.Api.ApiKeys;

internal static class ApiKeysOpenApi
{
    private const string ExampleKey = "sk_3f9a1c2b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4fe415b73";

    /// <summary>A key's creation as Swagger UI's "Try it out" offers it.</summary>
    public static IServiceCollection AddApiKeysExamples(this IServiceCollection services) => services
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
