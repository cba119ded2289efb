using System.Net;
using System.Text.Json.Nodes;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.OpenApi;

public sealed class OpenApiDocumentTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    /// <summary>docs/openapi.v1.json is what client generators and the CI linter read.</summary>
    [Fact]
    public async Task TheCommittedDocumentMatchesWhatTheServiceServes()
    {
        var served = JsonNode.Parse(await (await api.CreateClient().GetAsync(Routes.OpenApiDocument)).Content.ReadAsStringAsync())!;
        var file = Path.Combine(Repository.Root(), "docs", "openapi.v1.json");
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI_SNAPSHOT") == "1")
            await File.WriteAllTextAsync(file, served.ToJsonString(new() { WriteIndented = true }) + "\n");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(file));
        Assert.True(JsonNode.DeepEquals(served, committed),
            "docs/openapi.v1.json is out of date: run `UPDATE_OPENAPI_SNAPSHOT=1 dotnet test --filter \"OpenApiDocumentTests|GeneratedClientTests\"` and commit both.");
    }

    [Fact]
    public async Task EveryOperationHasAnIdATagAndExactlyItsSecuritySchemes()
    {
        var document = await (await api.CreateClient().GetAsync(Routes.OpenApiDocument)).ReadJsonAsync(HttpStatusCode.OK);
        var expected = new Dictionary<string, string[]>
        {
            ["post /auth/signup"] = [], ["post /auth/login"] = [], ["post /auth/refresh"] = [],
            ["post /auth/logout"] = ["Bearer"], ["post /auth/logout-all"] = ["Bearer"],
            ["get /auth/me"] = ["Bearer"], ["patch /auth/me"] = ["Bearer"], ["post /auth/change-password"] = ["Bearer"],
            ["get /auth/sessions"] = ["Bearer"], ["delete /auth/sessions/{id}"] = ["Bearer"], ["post /auth/delete-account"] = ["Bearer"],
            ["post /auth/verify-email/send"] = ["Bearer"], ["post /auth/verify-email"] = [], ["post /auth/forgot-password"] = [],
            ["post /auth/reset-password"] = [], ["post /auth/change-email"] = ["Bearer"],
            ["post /auth/mfa/totp/enroll"] = ["Bearer"], ["post /auth/mfa/totp/confirm"] = ["Bearer"],
            ["post /auth/mfa/recovery-codes"] = ["Bearer"], ["post /auth/mfa/disable"] = ["Bearer"], ["post /auth/login/mfa"] = [],
            ["post /keys/create"] = ["Bearer"], ["get /keys"] = ["Bearer"], ["delete /keys/{id}"] = ["Bearer"], ["get /keys/{id}"] = ["Bearer"], ["post /keys/{id}/roll"] = ["Bearer"], ["patch /keys/{id}"] = ["Bearer"], ["post /keys/verify"] = ["Bearer", "ApiKey"],
            ["get /protected/scoped"] = ["ApiKey"],
            ["get /audit"] = ["Bearer"], ["post /webhooks"] = ["Bearer"], ["get /webhooks"] = ["Bearer"], ["delete /webhooks/{id}"] = ["Bearer"],
            ["get /webhooks/{id}/deliveries"] = ["Bearer"],
            ["get /protected/user-only"] = ["Bearer"], ["get /protected/service-only"] = ["ApiKey"], ["get /protected/flexible"] = ["Bearer", "ApiKey"],
            ["get /health"] = [], ["get /health/ready"] = [],
            ["post /oauth/token"] = [], ["post /oauth/introspect"] = [], ["post /oauth/revoke"] = [],
            ["get /.well-known/openid-configuration"] = [], ["get /.well-known/oauth-authorization-server"] = [], ["get /.well-known/jwks.json"] = [],
        };
        var seen = new HashSet<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var key = $"{operation.Name} {path.Name}";
                seen.Add(key);
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("operationId").GetString()), key);
                Assert.NotEmpty(operation.Value.GetProperty("tags").EnumerateArray());
                var schemes = operation.Value.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToArray();
                Assert.True(expected[key].SequenceEqual(schemes), $"{key}: {string.Join(",", schemes)}");
            }
        }
        Assert.Equal(expected.Keys.ToHashSet(), seen);
    }

    [Fact]
    public async Task SchemasCarryFormatsLimitsAndAWellFormedKeyExample()
    {
        var schemas = (await (await api.CreateClient().GetAsync(Routes.OpenApiDocument)).ReadJsonAsync(HttpStatusCode.OK))
            .GetProperty("components").GetProperty("schemas");
        var signup = schemas.GetProperty("SignupRequest");
        Assert.Equal("email", signup.GetProperty("properties").GetProperty("email").GetProperty("format").GetString());
        Assert.Equal(8, signup.GetProperty("properties").GetProperty("password").GetProperty("minLength").GetInt32());
        Assert.Equal(128, signup.GetProperty("properties").GetProperty("password").GetProperty("maxLength").GetInt32());
        Assert.Equal(100, signup.GetProperty("properties").GetProperty("name").GetProperty("maxLength").GetInt32());
        Assert.Equal(["email", "password"], signup.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order());

        // Every string a request carries has a documented bound, list items included.
        foreach (var (schema, list) in new[] { ("CreateApiKeyRequest", "scopes"), ("UpdateApiKeyRequest", "scopes"), ("VerifyKeyRequest", "requiredScopes") })
        {
            var items = schemas.GetProperty(schema).GetProperty("properties").GetProperty(list).GetProperty("items");
            Assert.Equal(64, items.GetProperty("maxLength").GetInt32());
            Assert.Equal("^[a-z][a-z0-9_.:-]{0,63}$", items.GetProperty("pattern").GetString());
        }

        var created = schemas.GetProperty("CreatedApiKeyResponse");
        Assert.Equal("uuid", created.GetProperty("properties").GetProperty("id").GetProperty("format").GetString());
        Assert.Equal("date-time", created.GetProperty("properties").GetProperty("createdAt").GetProperty("format").GetString());
        var key = created.GetProperty("example").GetProperty("key").GetString()!;
        Assert.Matches("^sk_[0-9a-f]{64}$", key);
        Assert.Equal(ApiKeys.ApiKeyManagementTests.Crc32Hex(key[3..59]), key[59..]);
        // Nullable fields are always present: required, and nullable.
        var listed = schemas.GetProperty("ApiKeyResponse");
        Assert.Contains("lastUsedAt", listed.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.True(listed.GetProperty("properties").GetProperty("lastUsedAt").GetProperty("nullable").GetBoolean());
    }

    /// <summary>
    /// What NSwag, Kiota and openapi-typescript need to type the API (tests/clients/check.sh and
    /// the shipped client's tests run them): plain problem references, required bodies, UUID ids,
    /// declared headers, and a flat caller.
    /// </summary>
    [Fact]
    public async Task TheDocumentIsShapedForClientGenerators()
    {
        var document = await (await api.CreateClient().GetAsync(Routes.OpenApiDocument)).ReadJsonAsync(HttpStatusCode.OK);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var name = $"{operation.Name} {path.Name}";
                if (operation.Value.TryGetProperty("requestBody", out var body))
                    Assert.True(body.TryGetProperty("required", out var required) && required.GetBoolean() || name == "post /keys/{id}/roll", $"{name}: body not required");
                foreach (var parameter in operation.Value.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateArray() : default)
                {
                    if (parameter.GetProperty("in").GetString() == "path")
                        Assert.Equal("uuid", parameter.GetProperty("schema").GetProperty("format").GetString());
                }
                foreach (var response in operation.Value.GetProperty("responses").EnumerateObject())
                {
                    var status = int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture);
                    if (status >= 400 && path.Name.StartsWith("/oauth/", StringComparison.Ordinal) && status != 503)
                    {
                        // OAuth's own error shape on its endpoints, as OAuth clients read it.
                        Assert.Equal("#/components/schemas/OAuthError",
                            response.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
                    }
                    else if (status >= 400)
                    {
                        var reference = response.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString();
                        var problem = (name, status) switch
                        {
                            (_, 400) => "ValidationProblemDetails",
                            ("post /auth/login", 401) => "MfaRequiredProblem", // ProblemDetails with mfaToken
                            _ => "ProblemDetails",
                        };
                        Assert.Equal($"#/components/schemas/{problem}", reference);
                    }
                    string? header = status switch { 201 => "Location", 401 => "WWW-Authenticate", 429 or 503 => "Retry-After", _ => null };
                    if (header is not null)
                        Assert.True(response.Value.GetProperty("headers").TryGetProperty(header, out _), $"{name} {status}: no {header}");
                }
            }
        }

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.False(schemas.TryGetProperty("HttpValidationProblemDetails", out _));
        Assert.Equal("#/components/schemas/ProblemDetails", schemas.GetProperty("ValidationProblemDetails").GetProperty("allOf")[0].GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/ProblemDetails", schemas.GetProperty("MfaRequiredProblem").GetProperty("allOf")[0].GetProperty("$ref").GetString());
        var caller = schemas.GetProperty("Caller");
        Assert.Equal(["user", "service"], caller.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("keyId", caller.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("AuthKeys.Api.", document.GetRawText(), StringComparison.Ordinal); // an unresolved doc reference
    }
}
