using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.Errors;

public sealed class ProblemDetailsTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    [Fact]
    public async Task UnknownRouteIsA404Problem() =>
        await (await api.CreateClient().GetAsync("/no/such/route")).ReadProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task WrongMethodIsA405Problem()
    {
        var response = await api.CreateClient().PutAsync(Routes.Health, null);
        await response.ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("{\"email\":")]
    [InlineData("not json")]
    [InlineData("{\"email\": 42, \"password\": []}")]
    [InlineData("[]")]
    public async Task MalformedJsonIsA400Problem(string body)
    {
        var response = await api.CreateClient().PostAsync(Routes.Signup, Json.Raw(body));
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out _));
        Assert.DoesNotContain("Exception", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEmptyBodyIsA400Problem() =>
        await (await api.CreateClient().PostAsync(Routes.Login, Json.Raw(""))).ReadProblemAsync(HttpStatusCode.BadRequest);

    [Fact]
    public async Task UnsupportedContentTypeIsA415Problem() =>
        await (await api.CreateClient().PostAsync(Routes.Signup, Json.Raw("email=a", "application/x-www-form-urlencoded")))
            .ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);

    [Fact]
    public async Task ValidationErrorsAreKeyedByCamelCaseField()
    {
        var response = await api.CreateClient().PostAsync(Routes.Signup, Json.Of(new { email = "not-an-email", password = "short" }));
        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("password", out _));
    }

    [Fact]
    public async Task MissingCredentialsAreA401ProblemNamingTheScheme()
    {
        var response = await api.CreateClient().GetAsync(Routes.UserOnly);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task EveryResponseCarriesSecurityHeadersAndNoServerHeader()
    {
        var response = await api.CreateClient().GetAsync(Routes.Health);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.False(response.Headers.Contains("Server"));
    }
}
