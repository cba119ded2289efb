using AuthKeys.Api.Tests.Testing;
using AuthKeys.Client;

namespace AuthKeys.Api.Tests.Client;

public sealed partial class ShippedClientTests
{
    [Fact]
    public async Task ASecondFactorIsSetUpAndUsedThroughTheClient()
    {
        var email = ApiClientExtensions.NewEmail("client");
        var signup = await Client(_ => { }).SignupAsync(new SignupRequest { Email = email, Password = ApiClientExtensions.Password });
        var user = Client(o => o.AccessToken = (_, _) => ValueTask.FromResult<string?>(signup.AccessToken));
        var enrollment = await user.EnrollTotpAsync(new EnrollTotpRequest { Password = ApiClientExtensions.Password });
        var app = new Authenticator(enrollment.Secret, []);
        var confirmed = await user.ConfirmTotpAsync(new MfaCodeRequest { Code = app.CodeAt(DateTimeOffset.UtcNow) });
        Assert.Equal(10, confirmed.RecoveryCodes.Count);
        var me = (await user.GetMeAsync()).User;
        Assert.Equal((true, 10), (me.MfaEnabled, me.RecoveryCodesRemaining));

        var anonymous = Client(_ => { });
        var required = await Assert.ThrowsAsync<AuthKeysApiException<MfaRequiredProblem>>(() =>
            anonymous.LoginAsync(new LoginRequest { Email = email, Password = ApiClientExtensions.Password }));
        Assert.EndsWith("mfa-required", required.Result.Type);
        var session = await anonymous.LoginWithCodeAsync(new MfaLoginRequest
        {
            MfaToken = required.Result.MfaToken!,
            Code = app.CodeAt(DateTimeOffset.UtcNow.AddSeconds(SecondFactors.StepSeconds)),
        });
        Assert.Equal(email, session.User.Email);

        var wrong = await Assert.ThrowsAsync<AuthKeysApiException<MfaRequiredProblem>>(() =>
            anonymous.LoginAsync(new LoginRequest { Email = email, Password = "Wrong-Password-1" }));
        Assert.Null(wrong.Result.MfaToken);
        var again = await Assert.ThrowsAsync<AuthKeysApiException<ProblemDetails>>(() =>
            anonymous.LoginWithCodeAsync(new MfaLoginRequest { MfaToken = required.Result.MfaToken!, Code = confirmed.RecoveryCodes.First() }));
        Assert.Equal(401, again.StatusCode);

        var renewed = await user.RegenerateRecoveryCodesAsync(new MfaCodeRequest { Code = confirmed.RecoveryCodes.First() });
        await user.DisableMfaAsync(new DisableMfaRequest { Password = ApiClientExtensions.Password, Code = renewed.RecoveryCodes.First() });
        Assert.False((await user.GetMeAsync()).User.MfaEnabled);
    }
}
