using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace AuthKeys.Api.Tests.Accounts.Mfa;

/// <summary>Turning the second factor on and off, and the recovery codes that come with it.</summary>
public sealed partial class MfaEnrollmentTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = SecondFactors.MidStepClock();
    private MailCatcher _mail = null!;
    private AuthKeysApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() =>
        (_mail, _api, _client) = await MailCatcher.WithServiceAsync(new AuthKeysApiFactory { Time = _time, Settings = { ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true" } });

    public Task DisposeAsync() => MailCatcher.StopAsync(_api, _mail);

    [Fact]
    public async Task EnrolmentGivesAnAppSecretAndConfirmingTurnsTheFactorOnAndEndsOtherSessions()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var account = await _client.SignupAsync();
        await _client.CreateWebhookAsync(account.AccessToken, receiver.Url, "mfa.enabled", "mfa.disabled");
        var other = await _client.LoginAsync(account.Email);

        var first = await Enroll(account);
        var enrollment = await Enroll(account); // replaces the first, not confirmed yet
        var secret = enrollment.GetProperty("secret").GetString()!;
        Assert.Matches("^[A-Z2-7]{32}$", secret); // base32 of 160 bits
        Assert.Equal(20, Base32Encoding.ToBytes(secret).Length);
        var uri = new Uri(enrollment.GetProperty("otpauthUri").GetString()!);
        Assert.Equal("otpauth", uri.Scheme);
        Assert.Equal("totp", uri.Host);
        Assert.Equal($"/AuthKeys:{account.Email}", Uri.UnescapeDataString(uri.AbsolutePath));
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal((secret, "AuthKeys", "SHA1", "6", "30"), (query["secret"], query["issuer"], query["algorithm"], query["digits"], query["period"]));

        var app = new Authenticator(first.GetProperty("secret").GetString()!, []);
        await (await Confirm(account, app.CodeAt(_time.GetUtcNow()))).ReadProblemAsync(HttpStatusCode.BadRequest);
        var confirmed = await (await Confirm(account, new Authenticator(secret, []).CodeAt(_time.GetUtcNow()))).ReadJsonAsync(HttpStatusCode.OK);
        var codes = confirmed.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches(RecoveryCodeShape(), c));

        var me = await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(me.GetProperty("user").GetProperty("mfaEnabled").GetBoolean());
        Assert.Equal(10, me.GetProperty("user").GetProperty("recoveryCodesRemaining").GetInt32());
        await (await _client.GetWithTokenAsync(Routes.Me, other.GetProperty("accessToken").GetString()!)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaEnroll, account.AccessToken, new { password = account.Password })).ReadProblemAsync(HttpStatusCode.Conflict);

        Assert.Contains(await _mail.UntilReceivedAsync(account.Email, 2), m => m.Subject == "A second factor now protects your account");
        await receiver.UntilReceivedAsync(1);
        Assert.Contains("\"type\":\"mfa.enabled\"", receiver.Received.Single().Body.Replace(" ", "", StringComparison.Ordinal));
        Assert.Contains("mfa.enabled", (await _client.AuditAsync(account.AccessToken)).Types());
        Assert.DoesNotContain(secret, string.Join("\n", _api.Logs.Entries.Select(e => e.Everything)));
    }

    [Fact]
    public async Task EnrolmentAndConfirmationRefuseWhatTheyShould()
    {
        var account = await _client.SignupAsync();
        var wrong = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaEnroll, account.AccessToken, new { password = "Wrong-Password-1" }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("password", out _));
        await (await _client.PostAsJsonAsync(Routes.MfaEnroll, new { password = account.Password })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var nothingPending = await (await Confirm(account, "123456")).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Nothing to confirm", nothingPending.GetProperty("errors").GetProperty("code")[0].GetString());
        var secret = (await Enroll(account)).GetProperty("secret").GetString()!;
        var app = new Authenticator(secret, []);
        var stale = await (await Confirm(account, app.CodeAt(_time.GetUtcNow().AddSeconds(-90)))).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(stale.GetProperty("errors").TryGetProperty("code", out _));
        await (await Confirm(account, "12345")).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await _client.PostAsJsonAsync(Routes.MfaConfirm, new { code = app.CodeAt(_time.GetUtcNow()) })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var me = await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False(me.GetProperty("user").GetProperty("mfaEnabled").GetBoolean());
        Assert.Equal(0, me.GetProperty("user").GetProperty("recoveryCodesRemaining").GetInt32());
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaRecoveryCodes, account.AccessToken, new { code = "123456" })).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaDisable, account.AccessToken, new { password = account.Password, code = "123456" }))
            .ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task NewRecoveryCodesReplaceTheOldOnes()
    {
        var account = await _client.SignupAsync();
        var app = await _client.EnableMfaAsync(account, _time);
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaRecoveryCodes, account.AccessToken, new { code = "000000" })).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await _client.PostAsJsonAsync(Routes.MfaRecoveryCodes, new { code = app.CodeAt(_time.GetUtcNow()) })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var renewed = await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaRecoveryCodes, account.AccessToken, new { code = app.CodeAt(_time.GetUtcNow()) }))
            .ReadJsonAsync(HttpStatusCode.OK);
        var codes = renewed.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Empty(codes.Intersect(app.RecoveryCodes));
        await (await _client.LoginWithCodeAsync(await _client.MfaTokenAsync(account.Email), app.RecoveryCodes[0])).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await _client.LoginWithMfaAsync(account.Email, codes[0]);
        Assert.Contains("mfa.recovery_codes_regenerated", (await _client.AuditAsync(account.AccessToken)).Types());
    }

    [Fact]
    public async Task DisablingNeedsThePasswordAndACodeAndDeletesTheRecoveryCodes()
    {
        var account = await _client.SignupAsync();
        var app = await _client.EnableMfaAsync(account, _time);
        var noCode = await (await _client.SendRawWithTokenAsync(HttpMethod.Post, Routes.MfaDisable, account.AccessToken, $$"""{"password":"{{account.Password}}"}"""))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(noCode.GetProperty("errors").TryGetProperty("code", out _));
        var wrongPassword = await (await Disable(account, "Wrong-Password-1", app.CodeAt(_time.GetUtcNow()))).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(wrongPassword.GetProperty("errors").TryGetProperty("password", out _));
        var wrongCode = await (await Disable(account, account.Password, "000000")).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(wrongCode.GetProperty("errors").TryGetProperty("code", out _));
        await (await _client.PostAsJsonAsync(Routes.MfaDisable, new { password = account.Password, code = app.CodeAt(_time.GetUtcNow()) })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        await (await Disable(account, account.Password, app.RecoveryCodes[3])).ReadJsonAsync(HttpStatusCode.OK);
        var me = await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False(me.GetProperty("user").GetProperty("mfaEnabled").GetBoolean());
        Assert.Equal(0, me.GetProperty("user").GetProperty("recoveryCodesRemaining").GetInt32());
        await using (var db = _api.OpenDatabase())
            Assert.Equal(["0"], await db.ReadColumnAsync($"SELECT count(*)::text FROM recovery_codes WHERE user_id = '{account.UserId}'"));
        await _client.LoginAsync(account.Email); // one step again
        Assert.Contains(await _mail.UntilReceivedAsync(account.Email, 4), m => m.Subject == "The second factor of your account was turned off");
        Assert.Contains("mfa.disabled", (await _client.AuditAsync(account.AccessToken)).Types());
    }

    private async Task<System.Text.Json.JsonElement> Enroll(Account account) =>
        await (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaEnroll, account.AccessToken, new { password = account.Password })).ReadJsonAsync(HttpStatusCode.OK);

    private Task<HttpResponseMessage> Confirm(Account account, string code) =>
        _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaConfirm, account.AccessToken, new { code });

    private Task<HttpResponseMessage> Disable(Account account, string password, string code) =>
        _client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaDisable, account.AccessToken, new { password, code });

    /// <summary>Ten characters in two groups, none of 0, O, 1, I or L that read alike.</summary>
    [GeneratedRegex("^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$")]
    private static partial Regex RecoveryCodeShape();
}
