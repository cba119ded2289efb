using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using PuppeteerSharp;

namespace AuthKeys.Api.Tests.Accounts.Email;

/// <summary>
/// The account pages in a real headless browser (the system's Chromium, which .ci/run installs):
/// a person opens the link from the mail and completes the step with the page's form alone.
/// </summary>
public sealed class AccountPagesBrowserTests : IAsyncLifetime
{
    private static readonly string? Chromium = new[] { Environment.GetEnvironmentVariable("AUTHKEYS_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }
        .FirstOrDefault(File.Exists);

    private MailCatcher _mail = null!;
    private AuthKeysApiFactory _api = null!;
    private IBrowser? _browser;
    private readonly List<string> _consoleErrors = [];

    public async Task InitializeAsync()
    {
        _mail = await MailCatcher.StartAsync();
        _api = new AuthKeysApiFactory { OnLoopbackPort = true, Settings = { ["SMTP_URL"] = _mail.Url } };
        await _api.StartAsync();
        if (Chromium is not null)
            _browser = await Puppeteer.LaunchAsync(new LaunchOptions { Headless = true, ExecutablePath = Chromium, Args = ["--no-sandbox", "--disable-gpu"] });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        await _api.DisposeAsync();
        await _mail.DisposeAsync();
    }

    [SkippableFact]
    public async Task APersonResetsAForgottenPasswordFromTheLinkInABrowser()
    {
        Skip.If(_browser is null, "No Chromium on this machine (.ci/run installs Debian's chromium): the page test needs a real browser.");
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        await client.PostAsJsonAsync(Routes.ForgotPassword, new { email = account.Email });
        var link = Link((await _mail.UntilReceivedAsync(account.Email, 2)).Single(m => m.Subject == "Reset your password").TextBody!);
        Assert.StartsWith(_api.BaseAddress.AbsoluteUri + "account/reset-password?token=", link, StringComparison.Ordinal);

        var page = await OpenAsync(link);
        await page.TypeAsync("#newPassword", "Violet-Harbour-77");
        await page.TypeAsync("#repeatPassword", "Violet-Harbour-77");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("button[type=submit]"));

        Assert.Equal("Password changed", await page.EvaluateExpressionAsync<string>("document.querySelector('h1').textContent"));
        Assert.Empty(_consoleErrors); // the policy let the page's own style through, and nothing else was asked for
        await client.LoginAsync(account.Email, "Violet-Harbour-77");
    }

    [SkippableFact]
    public async Task APersonConfirmsTheirAddressFromTheLinkInABrowser()
    {
        Skip.If(_browser is null, "No Chromium on this machine (.ci/run installs Debian's chromium): the page test needs a real browser.");
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        var link = Link(Assert.Single(await _mail.UntilReceivedAsync(account.Email)).TextBody!);

        var page = await OpenAsync(link);
        var me = await (await client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False(me.GetProperty("user").GetProperty("emailVerified").GetBoolean()); // opening the page spent nothing
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("button[type=submit]"));

        Assert.Equal("Address confirmed", await page.EvaluateExpressionAsync<string>("document.querySelector('h1').textContent"));
        Assert.Empty(_consoleErrors);
        me = await (await client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(me.GetProperty("user").GetProperty("emailVerified").GetBoolean());
    }

    private async Task<IPage> OpenAsync(string link)
    {
        var page = await _browser!.NewPageAsync();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
                _consoleErrors.Add(e.Message.Text);
        };
        var response = await page.GoToAsync(link);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return page;
    }

    private static string Link(string text) =>
        text.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("http", StringComparison.Ordinal) && l.Contains("?token=", StringComparison.Ordinal));
}
