using System.Net;
using AuthKeys.Api.Tests.Testing;
using PuppeteerSharp;

namespace AuthKeys.Api.Tests.Infrastructure.OpenApi;

/// <summary>
/// Swagger UI under its Content-Security-Policy, in a real headless browser (the system's
/// Chromium, which .ci/run installs): the page draws, and "Try it out" still calls the service.
/// </summary>
public sealed class SwaggerUiBrowserTests : IAsyncLifetime
{
    private static readonly string? Chromium = new[] { Environment.GetEnvironmentVariable("AUTHKEYS_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }
        .FirstOrDefault(File.Exists);

    private readonly AuthKeysApiFactory _api = new() { OnLoopbackPort = true };
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        if (Chromium is not null)
            _browser = await Puppeteer.LaunchAsync(new LaunchOptions { Headless = true, ExecutablePath = Chromium, Args = ["--no-sandbox", "--disable-gpu"] });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task ThePageCarriesItsPolicyAndRefusesFraming()
    {
        var response = await _api.CreateClient().GetAsync($"{Routes.SwaggerUi}/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [SkippableFact]
    public async Task TryItOutWorksUnderThePolicy()
    {
        Skip.If(_browser is null, "No Chromium on this machine (.ci/run installs Debian's chromium): the page test needs a real browser.");
        var page = await _browser!.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
                problems.Add(e.Message.Text);
        };
        var opened = await page.GoToAsync(new Uri(_api.BaseAddress, $"{Routes.SwaggerUi}/index.html").AbsoluteUri);
        Assert.Equal(HttpStatusCode.OK, opened.Status);

        var timeout = new WaitForSelectorOptions { Timeout = 30_000 };
        await page.WaitForSelectorAsync("#operations-Health-getHealth", timeout);
        await page.ClickAsync("#operations-Health-getHealth .opblock-summary-control");
        await (await page.WaitForSelectorAsync("#operations-Health-getHealth .try-out__btn", timeout)).ClickAsync();
        await (await page.WaitForSelectorAsync("#operations-Health-getHealth .execute", timeout)).ClickAsync();
        var status = await page.WaitForSelectorAsync("#operations-Health-getHealth .live-responses-table tbody .response-col_status", timeout);
        Assert.Equal("200", (await status.EvaluateFunctionAsync<string>("e => e.textContent")).Trim());
        Assert.DoesNotContain(problems, p => p.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
