using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Accounts.Email;

/// <summary>The pages the links open: a form on GET (nothing spent), the step done by its POST.</summary>
public sealed class AccountPagesTests : IAsyncLifetime
{
    private MailCatcher _mail = null!;
    private AuthKeysApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() =>
        (_mail, _api, _client) = await MailCatcher.WithServiceAsync(new AuthKeysApiFactory());

    public Task DisposeAsync() => MailCatcher.StopAsync(_api, _mail);

    [Fact]
    public async Task OpeningTheVerifyLinkSpendsNothingAndItsFormVerifies()
    {
        var account = await _client.SignupAsync();
        var token = MailCatcher.TokenIn(Assert.Single(await _mail.UntilReceivedAsync(account.Email)));

        for (var i = 0; i < 2; i++) // a mail scanner, then the person
        {
            var page = await _client.GetAsync($"{Routes.VerifyPage}?token={token}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            AssertLockedDown(page);
            Assert.Contains($"value=\"{token}\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var done = await _client.PostAsync(Routes.VerifyPage, new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        AssertLockedDown(done);
        Assert.Contains("confirmed", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var again = await _client.PostAsync(Routes.VerifyPage, new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already been used", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Logs.Entries, e => e.Everything.Contains(token, StringComparison.Ordinal)); // request logs hold no query strings
    }

    [Fact]
    public async Task TheResetFormChecksThePasswordAndSetsIt()
    {
        var account = await _client.SignupAsync();
        await _client.PostAsJsonAsync(Routes.ForgotPassword, new { email = account.Email });
        var token = MailCatcher.TokenIn((await _mail.UntilReceivedAsync(account.Email, 2)).Single(m => m.Subject == "Reset your password"));
        var form = await _client.GetAsync($"{Routes.ResetPage}?token={token}");
        AssertLockedDown(form);
        Assert.Contains("type=\"password\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var differ = await Post(token, "Violet-Harbour-77", "Violet-Harbour-78");
        Assert.Equal(HttpStatusCode.BadRequest, differ.StatusCode);
        var common = await Post(token, "password123", "password123");
        Assert.Contains("too common", await common.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var done = await Post(token, "Violet-Harbour-77", "Violet-Harbour-77");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        await _client.LoginAsync(account.Email, "Violet-Harbour-77");
        await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task APageWithoutATokenSaysSo()
    {
        var page = await _client.GetAsync(Routes.ResetPage);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("no token", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> Post(string token, string password, string repeat) =>
        _client.PostAsync(Routes.ResetPage, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["newPassword"] = password, ["repeatPassword"] = repeat,
        }));

    private static void AssertLockedDown(HttpResponseMessage page)
    {
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
    }
}
