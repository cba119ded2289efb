using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Accounts.Mfa;

/// <summary>The two-step login: a right password yields an mfaToken, which one right code turns into a session.</summary>
public sealed class MfaLoginTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = SecondFactors.MidStepClock();
    private readonly AuthKeysApiFactory _api;
    private HttpClient _client = null!;

    public MfaLoginTests() => _api = new AuthKeysApiFactory { Time = _time, Settings = { ["LOGIN_MAX_FAILURES"] = "4" } };

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task ARightPasswordAsksForACodeAndTheCodeOpensASessionMarkedWithBothFactors()
    {
        var plain = await _client.SignupAsync();
        Assert.Equal(["pwd"], Jwts.Payload((await _client.LoginAsync(plain.Email)).GetProperty("accessToken").GetString()!)
            .GetProperty("amr").EnumerateArray().Select(e => e.GetString()));

        var account = await _client.SignupAsync();
        var app = await _client.EnableMfaAsync(account, _time);
        await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = "Wrong-Password-1" })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var session = await _client.LoginWithMfaAsync(account.Email, app.CodeAt(_time.GetUtcNow()));
        Assert.Equal(account.Email, session.GetProperty("user").GetProperty("email").GetString());
        var accessToken = session.GetProperty("accessToken").GetString()!;
        Assert.Equal(["pwd", "otp"], Jwts.Payload(accessToken).GetProperty("amr").EnumerateArray().Select(e => e.GetString()));
        await (await _client.GetWithTokenAsync(Routes.Me, accessToken)).ReadJsonAsync(HttpStatusCode.OK);
        var refreshed = await (await _client.PostAsJsonAsync(Routes.Refresh, new { refreshToken = session.GetProperty("refreshToken").GetString() })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["pwd", "otp"], Jwts.Payload(refreshed.GetProperty("accessToken").GetString()!).GetProperty("amr").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ACodeWorksOnceAndOnlyWithinOneStepEitherSide()
    {
        var account = await _client.SignupAsync();
        var app = await _client.EnableMfaAsync(account, _time);
        _time.Advance(TimeSpan.FromSeconds(SecondFactors.StepSeconds)); // the step before is not the confirming code's
        var now = _time.GetUtcNow();
        var token = await _client.MfaTokenAsync(account.Email);
        await (await _client.LoginWithCodeAsync(token, app.CodeAt(now.AddSeconds(-60)))).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.LoginWithCodeAsync(token, app.CodeAt(now.AddSeconds(60)))).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.LoginWithCodeAsync(token, app.CodeAt(now.AddSeconds(-30)))).ReadJsonAsync(HttpStatusCode.OK);
        await _client.LoginWithMfaAsync(account.Email, app.CodeAt(now));
        var next = app.CodeAt(now.AddSeconds(30));
        await _client.LoginWithMfaAsync(account.Email, next);

        // Replays: the same code, and an older one still inside the window.
        await (await _client.LoginWithCodeAsync(await _client.MfaTokenAsync(account.Email), next)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.LoginWithCodeAsync(await _client.MfaTokenAsync(account.Email), app.CodeAt(now))).ReadProblemAsync(HttpStatusCode.Unauthorized);
        _time.Advance(TimeSpan.FromSeconds(60));
        await _client.LoginWithMfaAsync(account.Email, app.CodeAt(_time.GetUtcNow()));
    }

    [Fact]
    public async Task EachRecoveryCodeWorksOnceWhateverItsCaseOrDash()
    {
        var account = await _client.SignupAsync();
        var app = await _client.EnableMfaAsync(account, _time);
        var session = await _client.LoginWithMfaAsync(account.Email, app.RecoveryCodes[0].Replace("-", "", StringComparison.Ordinal).ToLowerInvariant());
        Assert.Equal(["pwd", "otp"], Jwts.Payload(session.GetProperty("accessToken").GetString()!).GetProperty("amr").EnumerateArray().Select(e => e.GetString()));
        await (await _client.LoginWithCodeAsync(await _client.MfaTokenAsync(account.Email), app.RecoveryCodes[0])).ReadProblemAsync(HttpStatusCode.Unauthorized);

        // One code sent with two logins at once opens one session.
        var tokens = await Task.WhenAll(_client.MfaTokenAsync(account.Email), _client.MfaTokenAsync(account.Email));
        var both = await Task.WhenAll(tokens.Select(t => _client.LoginWithCodeAsync(t, app.RecoveryCodes[1])));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Unauthorized], both.Select(r => r.StatusCode).Order());

        var me = await (await _client.GetWithTokenAsync(Routes.Me, session.GetProperty("accessToken").GetString()!)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(8, me.GetProperty("user").GetProperty("recoveryCodesRemaining").GetInt32());
        var used = (await _client.AuditAsync(session.GetProperty("accessToken").GetString()!)).Where(e => e.GetProperty("type").GetString() == "mfa.recovery_code_used").ToList();
        Assert.Equal(2, used.Count);
    }

    [Fact]
    public async Task AnMfaTokenIsSingleUseLastsFiveMinutesAndEndsAfterFiveWrongCodes()
    {
        var account = await _client.SignupAsync();
        var app = await _client.EnableMfaAsync(account, _time);

        var used = await _client.MfaTokenAsync(account.Email);
        await (await _client.LoginWithCodeAsync(used, app.CodeAt(_time.GetUtcNow()))).ReadJsonAsync(HttpStatusCode.OK);
        _time.Advance(TimeSpan.FromSeconds(30));
        var reused = await (await _client.LoginWithCodeAsync(used, app.CodeAt(_time.GetUtcNow()))).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("mfaToken", reused.GetProperty("detail").GetString());
        await (await _client.LoginWithCodeAsync("mfa_" + new string('A', 43), app.CodeAt(_time.GetUtcNow()))).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var expiring = await _client.MfaTokenAsync(account.Email);
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await (await _client.LoginWithCodeAsync(expiring, app.CodeAt(_time.GetUtcNow()))).ReadProblemAsync(HttpStatusCode.Unauthorized);

        // Five wrong codes, spread over two addresses so that no lockout steps in first.
        var guessed = await _client.MfaTokenAsync(account.Email);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await (await LoginWithCode(guessed, $"00000{i}", i < 3 ? "198.51.100.1" : "198.51.100.2")).ReadProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("code", wrong.GetProperty("detail").GetString());
        }
        var ended = await (await LoginWithCode(guessed, app.CodeAt(_time.GetUtcNow()), "198.51.100.3")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("mfaToken", ended.GetProperty("detail").GetString());
        Assert.Contains("auth.login.mfa_failed", (await _client.AuditAsync(await LoginAsync(account, app))).Types());
    }

    [Fact]
    public async Task WrongCodesCountTowardTheLockoutAndARightPasswordDoesNotResetTheCount()
    {
        var account = await _client.SignupAsync();
        var app = await _client.EnableMfaAsync(account, _time);
        await (await _client.LoginWithCodeAsync(await _client.MfaTokenAsync(account.Email), "000001")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.LoginWithCodeAsync(await _client.MfaTokenAsync(account.Email), "000002")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var token = await _client.MfaTokenAsync(account.Email);
        await (await _client.LoginWithCodeAsync(token, "000003")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _client.LoginWithCodeAsync(token, "000004")).ReadProblemAsync(HttpStatusCode.Unauthorized); // the fourth: locked

        var locked = await _client.LoginWithCodeAsync(token, app.CodeAt(_time.GetUtcNow()));
        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(locked.Headers.RetryAfter?.Delta);
        await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        await using var db = _api.OpenDatabase();
        var locks = await db.ReadColumnAsync(
            $"SELECT details->>'scope' FROM audit_events WHERE user_id = '{account.UserId}' AND type = 'auth.login.locked'");
        Assert.Equal(["address"], locks);
    }

    private Task<HttpResponseMessage> LoginWithCode(string mfaToken, string code, string address) =>
        _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, Routes.LoginWithCode)
        {
            Content = JsonContent.Create(new { mfaToken, code }),
            Headers = { { AuthKeysApiFactory.ClientAddressHeader, address } },
        });

    private async Task<string> LoginAsync(Account account, Authenticator app)
    {
        _time.Advance(TimeSpan.FromSeconds(SecondFactors.StepSeconds));
        return (await _client.LoginWithMfaAsync(account.Email, app.CodeAt(_time.GetUtcNow()))).GetProperty("accessToken").GetString()!;
    }
}
