using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Security;

/// <summary>
/// Every operation of the served OpenAPI document, enumerated from the document itself, with a
/// body built from its schema and then every field of it missing, null, of the wrong type,
/// oversized, and beside an unknown one: no answer is a 5xx, every error is problem details, and
/// every status is one the document declares. A new operation is fuzzed without anyone adding it.
/// </summary>
public sealed class SchemaFuzzTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new()
    {
        Settings = { ["LOGIN_MAX_FAILURES"] = "1000000", ["AUTH_RATE_LIMIT_PER_MINUTE"] = "1000000", ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true" },
    };

    private JsonElement _schemas;

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task EveryFieldOfEveryOperationIsFuzzedFromTheDocument()
    {
        var client = _api.CreateClient();
        var document = await (await client.GetAsync(Routes.OpenApiDocument)).ReadJsonAsync(HttpStatusCode.OK);
        _schemas = document.GetProperty("components").GetProperty("schemas");
        var contract = await OpenApiContract.LoadAsync(client);
        var failures = new List<string>();
        var (sent, succeeded) = (0, 0);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                // A fresh caller for each operation: some end the session or the account.
                var caller = await Caller.CreateAsync(client);
                var schemes = operation.Value.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToList();
                var content = operation.Value.TryGetProperty("requestBody", out var body) ? body.GetProperty("content") : (JsonElement?)null;
                var variants = content?.TryGetProperty("application/json", out var json) == true ? Variants(json.GetProperty("schema")).Select(v => (v.Variant, Json(v.Json)))
                    : content?.TryGetProperty(FormMediaType, out var form) == true ? FormVariants(form.GetProperty("schema"), caller)
                    : [("no body", (Func<HttpContent?>)(() => null))];
                // OAuth's endpoints answer errors in OAuth's shape, the one exception to problem details.
                var errorMediaType = path.Name.StartsWith("/oauth/", StringComparison.Ordinal) ? "application/json" : "application/problem+json";
                foreach (var (variant, createContent) in variants)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), caller.Fill(path.Name))
                    {
                        Content = createContent(),
                    };
                    if (schemes.Contains("Bearer"))
                        request.Headers.Authorization = new("Bearer", caller.AccessToken);
                    else if (schemes.Contains("ApiKey"))
                        request.Headers.Add("x-api-key", caller.Key);
                    using var response = await client.SendAsync(request);
                    sent++;
                    succeeded += response.IsSuccessStatusCode ? 1 : 0;
                    var what = $"{operation.Name.ToUpperInvariant()} {path.Name} ({variant}) answered {(int)response.StatusCode}";
                    if ((int)response.StatusCode >= 500)
                        failures.Add($"{what}: {await response.Content.ReadAsStringAsync()}");
                    else if ((int)response.StatusCode is >= 400 and < 500 && response.Content.Headers.ContentType?.MediaType != errorMediaType)
                        failures.Add($"{what} as {response.Content.Headers.ContentType?.MediaType}, not {errorMediaType}");
                    else if (contract.Check(request, response) is { } violation)
                        failures.Add($"{what}: {violation}");
                }
            }
        }
        Assert.True(sent > 300, $"only {sent} requests: did the document lose its operations?");
        Assert.True(succeeded > 40, $"only {succeeded} of {sent} requests succeeded: are the built bodies valid?");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    /// <summary>A body that fits the schema, then each field broken in each way, and whole-body oddities.</summary>
    private IEnumerable<(string Variant, string? Json)> Variants(JsonElement schema)
    {
        var valid = Sample(schema, 0) as JsonObject ?? [];
        yield return ("valid", valid.ToJsonString());
        yield return ("empty object", "{}");
        yield return ("null", "null");
        yield return ("an array", "[]");
        yield return ("an unknown field", With(valid, "unexpectedField", JsonValue.Create("x")));
        foreach (var (name, field) in Properties(schema))
        {
            var without = valid.DeepClone().AsObject();
            without.Remove(name);
            yield return ($"{name} missing", without.ToJsonString());
            yield return ($"{name} null", With(valid, name, null));
            yield return ($"{name} of the wrong type", With(valid, name, WrongType(field)));
            yield return ($"{name} oversized", With(valid, name, Oversized(field)));
        }
    }

    private const string FormMediaType = "application/x-www-form-urlencoded";

    private static Func<HttpContent?> Json(string? json) => () => json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");

    /// <summary>A form that fits the schema (the caller's own credentials where it names them), then each field broken, and a JSON body instead.</summary>
    private IEnumerable<(string Variant, Func<HttpContent?> Content)> FormVariants(JsonElement schema, Caller caller)
    {
        var fields = Properties(schema).ToList();
        var valid = fields.Select(f => (f.Name, Value: f.Name switch
        {
            "grant_type" => "client_credentials",
            "client_id" => caller.KeyId.ToString(),
            "client_secret" => caller.Key,
            "token" => caller.AccessToken,
            _ => Sample(f.Schema, 0)?.ToString() ?? "a",
        })).ToList();
        static Func<HttpContent?> Form(IEnumerable<(string Name, string Value)> form) =>
            () => new StringContent(string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Name)}={Uri.EscapeDataString(f.Value)}")), Encoding.ASCII, FormMediaType);

        yield return ("valid", Form(valid));
        yield return ("empty form", Form([]));
        yield return ("a JSON body", Json(JsonSerializer.Serialize(valid.ToDictionary(f => f.Name, f => f.Value))));
        yield return ("an unknown field", Form([.. valid, ("unexpected_field", "x")]));
        foreach (var (name, field) in fields)
        {
            yield return ($"{name} missing", Form(valid.Where(f => f.Name != name)));
            yield return ($"{name} empty", Form(valid.Select(f => f.Name == name ? (f.Name, "") : f)));
            yield return ($"{name} repeated", Form([.. valid, valid.Single(f => f.Name == name)]));
            yield return ($"{name} oversized", Form(valid.Select(f => f.Name == name ? (f.Name, Oversized(field).ToString()) : f)));
        }
    }

    private static string With(JsonObject valid, string name, JsonNode? value)
    {
        var changed = valid.DeepClone().AsObject();
        changed[name] = value;
        return changed.ToJsonString();
    }

    private JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) ? Resolve(_schemas.GetProperty(reference.GetString()!.Split('/')[^1]))
        : schema.TryGetProperty("allOf", out var all) && !schema.TryGetProperty("properties", out _) && all.GetArrayLength() == 1 ? Resolve(all[0])
        : schema;

    private IEnumerable<(string Name, JsonElement Schema)> Properties(JsonElement schema)
    {
        var resolved = Resolve(schema);
        return resolved.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => (p.Name, Resolve(p.Value))) : [];
    }

    private static string? Type(JsonElement schema) => schema.TryGetProperty("type", out var type) ? type.GetString() : null;

    private JsonNode? Sample(JsonElement schema, int depth)
    {
        schema = Resolve(schema);
        if (schema.TryGetProperty("example", out var example))
            return JsonNode.Parse(example.GetRawText());
        if (schema.TryGetProperty("enum", out var values))
            return JsonNode.Parse(values[0].GetRawText());
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        return Type(schema) switch
        {
            "string" when format == "email" => ApiClientExtensions.NewEmail("fuzz"),
            "string" when format == "uuid" => Guid.NewGuid().ToString(),
            "string" when format == "date-time" => DateTimeOffset.UtcNow.AddDays(30).ToString("O", CultureInfo.InvariantCulture),
            "string" when format == "uri" => "https://example.com/hook",
            "string" => new string('a', Math.Max(8, schema.TryGetProperty("minLength", out var min) ? min.GetInt32() : 0)),
            "integer" or "number" => schema.TryGetProperty("minimum", out var minimum) ? minimum.GetDouble() : 1,
            "boolean" => true,
            "array" when depth < 3 => new JsonArray(schema.TryGetProperty("items", out var items) ? Sample(items, depth + 1) : "a"),
            "array" => new JsonArray(),
            _ when depth < 3 => new JsonObject(Properties(schema).Select(p => KeyValuePair.Create(p.Name, Sample(p.Schema, depth + 1)))),
            _ => new JsonObject(),
        };
    }

    private static JsonNode WrongType(JsonElement schema) => Type(schema) switch
    {
        "string" => JsonValue.Create(12345),
        "integer" or "number" => JsonValue.Create("twelve"),
        "boolean" => JsonValue.Create("yes"),
        "array" => new JsonObject { ["a"] = 1 },
        _ => new JsonArray(1, 2),
    };

    private static JsonNode Oversized(JsonElement schema) => Type(schema) switch
    {
        "integer" or "number" => JsonValue.Create(1e30),
        "array" => new JsonArray([.. Enumerable.Range(0, 1000).Select(i => (JsonNode?)JsonValue.Create($"item{i}"))]),
        "boolean" => JsonValue.Create(true),
        _ => JsonValue.Create(new string('x', schema.TryGetProperty("maxLength", out var max) ? Math.Min(max.GetInt32() + 1, 20_000) : 5_000)),
    };

    /// <summary>An account with a key that may verify keys, a webhook and a session: the ids a path can name.</summary>
    private sealed record Caller(string AccessToken, string Key, Guid KeyId, Guid WebhookId, string SessionId)
    {
        private static readonly string[] Scopes = ["keys:verify", "demo:read", "tokens:introspect"];

        public static async Task<Caller> CreateAsync(HttpClient client)
        {
            var account = await client.SignupAsync(ApiClientExtensions.NewEmail("fuzz"));
            var created = await (await client.SendWithTokenAsync(HttpMethod.Post, Routes.CreateKey, account.AccessToken,
                new { name = "fuzz", scopes = Scopes })).ReadJsonAsync(HttpStatusCode.Created);
            var (webhookId, _) = await client.CreateWebhookAsync(account.AccessToken, "https://example.com/hook", "key.created");
            return new Caller(account.AccessToken, created.GetProperty("key").GetString()!, created.GetProperty("id").GetGuid(), webhookId,
                Jwts.Payload(account.AccessToken).GetProperty("sid").GetString()!);
        }

        public string Fill(string template) => template
            .Replace("/keys/{id}", $"/keys/{KeyId}", StringComparison.Ordinal)
            .Replace("/webhooks/{id}", $"/webhooks/{WebhookId}", StringComparison.Ordinal)
            .Replace("/auth/sessions/{id}", $"/auth/sessions/{SessionId}", StringComparison.Ordinal)
            .Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
    }
}
