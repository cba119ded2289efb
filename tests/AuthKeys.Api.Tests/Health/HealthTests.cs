using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Health;

public sealed class HealthTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    [Fact]
    public async Task HealthAnswersOkWithATimestamp()
    {
        var body = await (await api.CreateClient().GetAsync(Routes.Health)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task ReadinessAnswersOkWhenTheDatabaseAnswers()
    {
        var body = await (await api.CreateClient().GetAsync(Routes.Ready)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("listener").GetString() is "up" or "down");
    }

    [Fact]
    public async Task SwaggerUiAndTheOpenApiDocumentAreServed()
    {
        var client = api.CreateClient();
        var ui = await client.GetAsync($"{Routes.SwaggerUi}/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        var document = await (await client.GetAsync(Routes.OpenApiDocument)).ReadJsonAsync(HttpStatusCode.OK);
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal("x-api-key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
    }
}

/// <summary>Own database and proxy: this class cuts the service off from PostgreSQL.</summary>
public sealed class ReadinessOutageTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new() { UseDatabaseProxy = true };

    public Task InitializeAsync() => _api.StartAsync();

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task ReadinessGoes503WhileTheDatabaseIsDownAndRecoversWithoutARestart()
    {
        var client = _api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Routes.Ready)).StatusCode);

        _api.DatabaseProxy!.Cut();
        var down = await client.GetAsync(Routes.Ready);
        var problem = await down.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain("Exception", problem.ToString(), StringComparison.Ordinal);
        await Poll.UntilAsync(async () => await _api.CreateClient().GetAsync(Routes.Ready) is var r
            && (await r.Content.ReadAsStringAsync()).Contains("\"listener\":\"down\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the 503 body reports the revocation listener down");
        // Liveness does not depend on the database.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Routes.Health)).StatusCode);

        _api.DatabaseProxy.Restore();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Routes.Ready)).StatusCode);
        await _api.UntilListeningAsync(); // and the listener is back, without a restart
    }

    [Fact]
    public async Task RequestsThatNeedTheDatabaseGetAPrompt503WhileItIsDown()
    {
        var client = _api.CreateClient();
        _api.DatabaseProxy!.Cut();
        try
        {
            var response = await client.PostAsync(Routes.Signup, Json.Of(new { email = ApiClientExtensions.NewEmail(), password = ApiClientExtensions.Password }));
            await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            _api.DatabaseProxy.Restore();
        }
        await client.SignupAsync();
    }
}
