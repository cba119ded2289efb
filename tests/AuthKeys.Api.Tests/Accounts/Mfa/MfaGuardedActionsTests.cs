using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Accounts.Mfa;

/// <summary>With the second factor on, what would hand the account to someone else asks for a code too.</summary>
public sealed class MfaGuardedActionsTests : IAsyncLifetime
{
    private const string NewPassword = "Violet-Harbour-77";
    private readonly FakeTimeProvider _time = SecondFactors.MidStepClock();
    private MailCatcher _mail = null!;
    private AuthKeysApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() =>
        (_mail, _api, _client) = await MailCatcher.WithServiceAsync(new AuthKeysApiFactory { Time = _time });

    public Task DisposeAsync() => MailCatcher.StopAsync(_api, _mail);

    [Fact]
    public async Task ChangingThePasswordNeedsACode()
    {
        var (account, app) = await AccountWithMfaAsync();
        await RefusedForTheCode(() => Send(Routes.ChangePassword, account, new { currentPassword = account.Password, newPassword = NewPassword }));
        await RefusedForTheCode(() => Send(Routes.ChangePassword, account, new { currentPassword = account.Password, newPassword = NewPassword, code = "000000" }));
        await (await Send(Routes.ChangePassword, account, new { currentPassword = account.Password, newPassword = NewPassword, code = app.CodeAt(_time.GetUtcNow()) }))
            .ReadJsonAsync(HttpStatusCode.OK);
        _time.Advance(TimeSpan.FromSeconds(SecondFactors.StepSeconds));
        await (await _client.LoginWithCodeAsync(await _client.MfaTokenAsync(account.Email, NewPassword), app.CodeAt(_time.GetUtcNow()))).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeletingTheAccountNeedsACode()
    {
        var (account, app) = await AccountWithMfaAsync();
        await RefusedForTheCode(() => Send(Routes.DeleteAccount, account, new { password = account.Password }));
        await RefusedForTheCode(() => Send(Routes.DeleteAccount, account, new { password = account.Password, code = app.RecoveryCodes[0] + "X" }));
        await (await Send(Routes.DeleteAccount, account, new { password = account.Password, code = app.RecoveryCodes[0] })).ReadJsonAsync(HttpStatusCode.OK);
        await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ChangingTheEmailNeedsACode()
    {
        var (account, app) = await AccountWithMfaAsync();
        var newEmail = ApiClientExtensions.NewEmail("moved");
        await RefusedForTheCode(() => Send(Routes.ChangeEmail, account, new { newEmail, password = account.Password }));
        Assert.DoesNotContain(_mail.Received, m => m.To.ToString().Contains(newEmail, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Accepted, (await Send(Routes.ChangeEmail, account, new { newEmail, password = account.Password, code = app.CodeAt(_time.GetUtcNow()) })).StatusCode);
        Assert.Single(await _mail.UntilReceivedAsync(newEmail));
    }

    [Fact]
    public async Task AResetLinkDoesNotWalkAroundTheFactorAndStaysUsableUntilTheCodeIsRight()
    {
        var (account, app) = await AccountWithMfaAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsJsonAsync(Routes.ForgotPassword, new { email = account.Email })).StatusCode);
        var token = MailCatcher.TokenIn(await _mail.UntilReceivedAsync(account.Email, "Reset your password"));

        await RefusedForTheCode(() => _client.PostAsJsonAsync(Routes.ResetPassword, new { token, newPassword = NewPassword }));
        await RefusedForTheCode(() => _client.PostAsJsonAsync(Routes.ResetPassword, new { token, newPassword = NewPassword, code = "000000" }));
        await (await _client.PostAsJsonAsync(Routes.ResetPassword, new { token, newPassword = NewPassword, code = app.CodeAt(_time.GetUtcNow()) })).ReadJsonAsync(HttpStatusCode.OK);
        await (await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = account.Password })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await _client.MfaTokenAsync(account.Email, NewPassword); // the factor stays on
    }

    private async Task<(Account Account, Authenticator App)> AccountWithMfaAsync()
    {
        var account = await _client.SignupAsync();
        return (account, await _client.EnableMfaAsync(account, _time));
    }

    private Task<HttpResponseMessage> Send(string route, Account account, object body) =>
        _client.SendWithTokenAsync(HttpMethod.Post, route, account.AccessToken, body);

    private static async Task RefusedForTheCode(Func<Task<HttpResponseMessage>> send)
    {
        var problem = await (await send()).ReadProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["code"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Array, errors.GetProperty("code").ValueKind);
    }
}
