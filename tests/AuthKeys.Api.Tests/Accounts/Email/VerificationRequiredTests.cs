using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Accounts.Email;

/// <summary>EMAIL_VERIFICATION_REQUIRED: an unverified account's JWT reaches only /auth/*.</summary>
public sealed class VerificationRequiredTests : IAsyncLifetime
{
    private MailCatcher _mail = null!;
    private AuthKeysApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() =>
        (_mail, _api, _client) = await MailCatcher.WithServiceAsync(new AuthKeysApiFactory { Settings = { ["EMAIL_VERIFICATION_REQUIRED"] = "true" } });

    public Task DisposeAsync() => MailCatcher.StopAsync(_api, _mail);

    [Fact]
    public async Task AnUnverifiedJwtGets403OutsideAuthUntilTheAddressIsVerified()
    {
        var account = await _client.SignupAsync();
        Assert.False(Jwts.Payload(account.AccessToken).GetProperty("email_verified").GetBoolean());
        var refused = await (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.EndsWith("email-not-verified", refused.GetProperty("type").GetString());
        await (await _client.GetWithTokenAsync("/audit", account.AccessToken)).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).StatusCode);

        var token = MailCatcher.TokenIn(Assert.Single(await _mail.UntilReceivedAsync(account.Email)));
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token })).StatusCode);
        // The same token works at once; a new one says so itself.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        var login = await _client.LoginAsync(account.Email);
        Assert.True(Jwts.Payload(login.GetProperty("accessToken").GetString()!).GetProperty("email_verified").GetBoolean());
    }
}
