using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.Web;

public sealed class InputLimitTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task ABodyOver64KiBIs413()
    {
        var body = $"{{\"email\":\"a@example.com\",\"password\":\"{new string('p', 70_000)}\"}}";
        await (await _client.PostAsync(Routes.Signup, Json.Raw(body))).ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task AHugeAuthorizationHeaderIs401() =>
        await (await _client.GetWithTokenAsync(Routes.UserOnly, new string('x', 10_000))).ReadProblemAsync(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task AFieldGetsOnlyItsFirstFailure()
    {
        // Too long and not plain text: the first is the answer.
        var body = $"{{\"email\":\"{ApiClientExtensions.NewEmail()}\",\"password\":\"Tangerine-Kite-42\",\"name\":\"{new string('n', 101)}\\u0007\"}}";
        var problem = await (await _client.PostAsync(Routes.Signup, Json.Raw(body))).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["Name must be at most 100 characters."], problem.GetProperty("errors").GetProperty("name").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task BracketKeysInAFormOrQueryAreNotA500()
    {
        var form = new FormUrlEncodedContent([new("a[", "1")]);
        await (await _client.PostAsync(Routes.Login, form)).ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var account = await _client.SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync($"{Routes.Keys}?a[=1&b]=2", account.AccessToken)).StatusCode);
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE users;--")]
    [InlineData("名前 🙂 ñ")]
    [InlineData("' OR 1=1 --")]
    public async Task SqlLookingAndUnicodeInputIsJustData(string name)
    {
        var email = ApiClientExtensions.NewEmail();
        var response = await _client.PostAsJsonAsync(Routes.Signup, new { email, password = "Tangerine-Kite-42" + name, name });
        var body = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(name, body.GetProperty("user").GetProperty("name").GetString());
        await _client.LoginAsync(email, "Tangerine-Kite-42" + name);
        var key = await _client.CreateKeyAsync(body.GetProperty("accessToken").GetString()!, name);
        Assert.NotEqual(Guid.Empty, key.Id);
    }

    [Theory]
    [InlineData("nul\u0000name")]
    [InlineData("bell\u0007")]
    [InlineData("lone\\ud800surrogate")]
    public async Task ControlCharactersAndMalformedUnicodeAre400NotA500(string name)
    {
        // Raw JSON, so the escapes reach the service exactly as written.
        var escaped = name.Replace("\u0000", "\\u0000", StringComparison.Ordinal).Replace("\u0007", "\\u0007", StringComparison.Ordinal);
        var body = $"{{\"email\":\"{ApiClientExtensions.NewEmail()}\",\"password\":\"Tangerine-Kite-42\",\"name\":\"{escaped}\"}}";
        await (await _client.PostAsync(Routes.Signup, Json.Raw(body))).ReadProblemAsync(HttpStatusCode.BadRequest);
    }
}

public sealed class HttpsTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    [Fact]
    public async Task HstsIsSentOverHttpsOutsideDevelopment()
    {
        var client = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://auth.example.com") });
        var response = await client.GetAsync(Routes.Health);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }
}
