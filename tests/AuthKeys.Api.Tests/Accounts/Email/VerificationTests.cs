using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Accounts.Email;

/// <summary>Proving an address: the link signup sends, resending it, and what the link refuses.</summary>
public sealed class VerificationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private MailCatcher _mail = null!;
    private AuthKeysApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() =>
        (_mail, _api, _client) = await MailCatcher.WithServiceAsync(new AuthKeysApiFactory { Time = _time, Settings = { ["MAIL_FROM"] = "AuthKeys <no-reply@authkeys.test>" } });

    public Task DisposeAsync() => MailCatcher.StopAsync(_api, _mail);

    [Fact]
    public async Task SignupSendsALinkThatVerifiesTheAddressOnce()
    {
        var account = await _client.SignupAsync();
        var signup = await _client.LoginAsync(account.Email);
        Assert.False(signup.GetProperty("user").GetProperty("emailVerified").GetBoolean());

        var message = Assert.Single(await _mail.UntilReceivedAsync(account.Email));
        Assert.Equal("Confirm your email address", message.Subject);
        Assert.Equal("no-reply@authkeys.test", message.From.Mailboxes.Single().Address);
        Assert.Contains("http://localhost:3000/account/verify-email?token=", message.TextBody);
        Assert.Contains("/account/verify-email?token=", message.HtmlBody);
        Assert.Contains("This happened at", message.TextBody); // when, from which address, with which client
        var token = MailCatcher.TokenIn(message);
        Assert.Equal(43, token.Length); // 256 bits, URL-safe

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token })).StatusCode);
        var me = await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(me.GetProperty("user").GetProperty("emailVerified").GetBoolean());

        var again = await (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("already been used", again.GetProperty("errors").GetProperty("token")[0].GetString());
        await (await _client.PostWithTokenAsync(Routes.SendVerification, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AResendIsLimitedToOneAMinuteAndFiveAnHourAndSupersedesOlderLinks()
    {
        var account = await _client.SignupAsync();
        var first = MailCatcher.TokenIn(Assert.Single(await _mail.UntilReceivedAsync(account.Email)));

        // The signup mail does not count: a resend goes out at once, and replaces its link.
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostWithTokenAsync(Routes.SendVerification, account.AccessToken)).StatusCode);
        var tooSoon = await _client.PostWithTokenAsync(Routes.SendVerification, account.AccessToken);
        await tooSoon.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(tooSoon.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(61));
            Assert.Equal(HttpStatusCode.Accepted, (await _client.PostWithTokenAsync(Routes.SendVerification, account.AccessToken)).StatusCode);
        }
        _time.Advance(TimeSpan.FromSeconds(61));
        var sixth = await _client.PostWithTokenAsync(Routes.SendVerification, account.AccessToken);
        await sixth.ReadProblemAsync(HttpStatusCode.TooManyRequests); // five in the hour
        Assert.True(sixth.Headers.RetryAfter!.Delta > TimeSpan.FromMinutes(50));

        var messages = await _mail.UntilReceivedAsync(account.Email, 6);
        var superseded = await (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token = first })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("newer link", superseded.GetProperty("errors").GetProperty("token")[0].GetString());
        var latest = MailCatcher.TokenIn(messages.OrderBy(m => m.Date).Last());
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token = latest })).StatusCode);
    }

    [Fact]
    public async Task ALinkExpiresAfterADay()
    {
        var account = await _client.SignupAsync();
        var token = MailCatcher.TokenIn(Assert.Single(await _mail.UntilReceivedAsync(account.Email)));
        _time.Advance(TimeSpan.FromHours(24));
        var expired = await (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("expired", expired.GetProperty("errors").GetProperty("token")[0].GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task AnUnknownOrMissingTokenIsAFieldError(string token)
    {
        var problem = await (await _client.PostAsJsonAsync(Routes.VerifyEmail, new { token })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("token", out _));
    }

    [Fact]
    public async Task ResendingNeedsAJwt() =>
        await (await _client.PostAsync(Routes.SendVerification, null)).ReadProblemAsync(HttpStatusCode.Unauthorized);
}
