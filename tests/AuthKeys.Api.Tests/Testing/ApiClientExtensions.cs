using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>What a client of the contract sees, parsed from JSON rather than the service's own types.</summary>
public sealed record Account(Guid UserId, string Email, string Password, string AccessToken, string RefreshToken);

public sealed record CreatedKey(Guid Id, string Key);

public static class ApiClientExtensions
{
    public const string Password = "Tangerine-Kite-42";

    public static string NewEmail(string tag = "user") => $"{tag}-{Guid.NewGuid():N}@example.com";

    public static async Task<Account> SignupAsync(this HttpClient client, string? email = null, string password = Password)
    {
        email ??= NewEmail();
        var response = await client.PostAsJsonAsync(Routes.Signup, new { email, password, name = "Test User" });
        var body = await response.ReadJsonAsync(HttpStatusCode.Created);
        return new Account(
            body.GetProperty("user").GetProperty("id").GetGuid(),
            body.GetProperty("user").GetProperty("email").GetString()!,
            password,
            body.GetProperty("accessToken").GetString()!,
            body.GetProperty("refreshToken").GetString()!);
    }

    public static async Task<JsonElement> LoginAsync(this HttpClient client, string email, string password = Password)
    {
        var response = await client.PostAsJsonAsync(Routes.Login, new { email, password });
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    public static async Task<CreatedKey> CreateKeyAsync(this HttpClient client, string accessToken, string? name = null, DateTimeOffset? expiresAt = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Routes.CreateKey)
        {
            Content = JsonContent.Create(new { name = name ?? $"key-{Guid.NewGuid():N}", expiresAt }),
        };
        request.Headers.Authorization = new("Bearer", accessToken);
        var body = await (await client.SendAsync(request)).ReadJsonAsync(HttpStatusCode.Created);
        return new CreatedKey(body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    public static Task<HttpResponseMessage> GetWithTokenAsync(this HttpClient client, string path, string accessToken) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", accessToken) } });

    public static Task<HttpResponseMessage> PostWithTokenAsync(this HttpClient client, string path, string accessToken) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Headers = { Authorization = new("Bearer", accessToken) } });

    public static Task<HttpResponseMessage> SendWithTokenAsync(this HttpClient client, HttpMethod method, string path, string accessToken, object? body = null) =>
        client.SendAsync(new HttpRequestMessage(method, path)
        {
            Headers = { Authorization = new("Bearer", accessToken) },
            Content = body is null ? null : JsonContent.Create(body),
        });

    /// <summary>A body as written, for JSON that an anonymous object cannot express (wrong types, missing fields).</summary>
    public static Task<HttpResponseMessage> SendRawWithTokenAsync(this HttpClient client, HttpMethod method, string path, string accessToken, string json) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Headers = { Authorization = new("Bearer", accessToken) }, Content = Json.Raw(json) });

    public static Task<HttpResponseMessage> GetWithKeyAsync(this HttpClient client, string path, string apiKey) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "x-api-key", apiKey } } });

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}"
            + ((int)response.StatusCode >= 500 && (int)expected < 500 ? $"\nThe latest errors logged by the service:\n{LogCollector.RecentErrors()}" : ""));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the given status and returns it.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.ReadJsonAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        return problem;
    }
}
