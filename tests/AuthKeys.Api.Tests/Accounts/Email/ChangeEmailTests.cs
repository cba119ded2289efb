using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Accounts.Email;

/// <summary>Moving an account to another address: proven by the password, confirmed from the new address.</summary>
public sealed class ChangeEmailTests : IAsyncLifetime
{
    private MailCatcher _mail = null!;
    private AuthKeysApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() =>
        (_mail, _api, _client) = await MailCatcher.WithServiceAsync(new AuthKeysApiFactory { Settings = { ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true" } });

    public Task DisposeAsync() => MailCatcher.StopAsync(_api, _mail);

    [Fact]
    public async Task TheAddressChangesWhenTheLinkSentToTheNewOneIsUsedAndTheOldOneHearsOfIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var account = await _client.SignupAsync();
        await _client.CreateWebhookAsync(account.AccessToken, receiver.Url, "email.changed", "password.reset");
        var newEmail = ApiClientExtensions.NewEmail("moved");

        var accepted = await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangeEmail, account.AccessToken, new { newEmail = newEmail.ToUpperInvariant(), password = account.Password });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var confirm = Assert.Single(await _mail.UntilReceivedAsync(newEmail));
        Assert.Equal("Confirm your new email address", confirm.Subject);
        Assert.Contains(await _mail.UntilReceivedAsync(account.Email, 2), m => m.Subject == "Your email address is about to change" && (m.TextBody ?? "").Contains(newEmail, StringComparison.Ordinal));
        // Nothing changes before the link is used.
        var before = await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(account.Email, before.GetProperty("user").GetProperty("email").GetString());

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token = MailCatcher.TokenIn(confirm) })).StatusCode);
        var after = await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(newEmail, after.GetProperty("user").GetProperty("email").GetString());
        Assert.True(after.GetProperty("user").GetProperty("emailVerified").GetBoolean());
        Assert.Contains(await _mail.UntilReceivedAsync(account.Email, 3), m => m.Subject == "Your email address was changed");
        await _client.LoginAsync(newEmail);
        await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        await receiver.UntilReceivedAsync(1);
        Assert.Contains("\"type\":\"email.changed\"", receiver.Received.Single().Body.Replace(" ", "", StringComparison.Ordinal));
        var audit = await (await _client.GetWithTokenAsync("/audit", account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        var types = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("email.change_requested", types);
        Assert.Contains("email.changed", types);
        Assert.Contains("email.verification_sent", types);
    }

    [Fact]
    public async Task AWrongPasswordIsAFieldErrorAndATakenAddressIsAConflict()
    {
        var account = await _client.SignupAsync();
        var other = await _client.SignupAsync();
        var wrong = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangeEmail, account.AccessToken, new { newEmail = ApiClientExtensions.NewEmail(), password = "Wrong-Password-1" }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("password", out _));
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangeEmail, account.AccessToken, new { newEmail = other.Email, password = account.Password }))
            .ReadProblemAsync(HttpStatusCode.Conflict);
        var invalid = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangeEmail, account.AccessToken, new { newEmail = "nope", password = account.Password }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("newEmail", out _));
        await (await _client.PostAsJsonAsync(Routes.ChangeEmail, new { newEmail = ApiClientExtensions.NewEmail(), password = account.Password })).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AChangedPasswordIsNoticedWithoutThePasswordInTheMail()
    {
        var account = await _client.SignupAsync();
        const string NewPassword = "Violet-Harbour-77";
        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.ChangePassword, account.AccessToken,
            new { currentPassword = account.Password, newPassword = NewPassword })).StatusCode);
        var notice = (await _mail.UntilReceivedAsync(account.Email, 2)).Single(m => m.Subject == "Your password was changed");
        foreach (var message in _mail.Received)
            Assert.DoesNotContain(NewPassword, message.TextBody + message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("forgot password", notice.TextBody, StringComparison.Ordinal);
    }
}
