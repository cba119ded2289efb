using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>An account's authenticator app, as a phone would hold it: the secret, and the recovery codes shown once.</summary>
public sealed record Authenticator(string Secret, string[] RecoveryCodes)
{
    /// <summary>The code the app shows at <paramref name="time"/>, computed by an RFC 6238 library, not the service's code.</summary>
    public string CodeAt(DateTimeOffset time) => new Totp(Base32Encoding.ToBytes(Secret)).ComputeTotp(time.UtcDateTime);
}

public static class SecondFactors
{
    public const int StepSeconds = 30;

    /// <summary>Now, moved to the middle of a 30-second step, so that ±1 step edges are unambiguous.</summary>
    public static FakeTimeProvider MidStepClock()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(now - now % StepSeconds + StepSeconds / 2));
    }

    /// <summary>Enrolls and confirms an authenticator; then moves a fake clock one step on, past the confirming code.</summary>
    public static async Task<Authenticator> EnableMfaAsync(this HttpClient client, Account account, TimeProvider time)
    {
        var enrollment = await (await client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaEnroll, account.AccessToken, new { password = account.Password }))
            .ReadJsonAsync(HttpStatusCode.OK);
        var secret = enrollment.GetProperty("secret").GetString()!;
        var confirmed = await (await client.SendWithTokenAsync(HttpMethod.Post, Routes.MfaConfirm, account.AccessToken,
            new { code = new Authenticator(secret, []).CodeAt(time.GetUtcNow()) })).ReadJsonAsync(HttpStatusCode.OK);
        (time as FakeTimeProvider)?.Advance(TimeSpan.FromSeconds(StepSeconds));
        return new Authenticator(secret, [.. confirmed.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!)]);
    }

    /// <summary>The first step of a login to an account with a second factor: its mfaToken.</summary>
    public static async Task<string> MfaTokenAsync(this HttpClient client, string email, string password = ApiClientExtensions.Password)
    {
        var problem = await (await client.PostAsJsonAsync(Routes.Login, new { email, password })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.EndsWith("mfa-required", problem.GetProperty("type").GetString());
        Assert.False(problem.TryGetProperty("accessToken", out _));
        return problem.GetProperty("mfaToken").GetString()!;
    }

    public static Task<HttpResponseMessage> LoginWithCodeAsync(this HttpClient client, string mfaToken, string code) =>
        client.PostAsJsonAsync(Routes.LoginWithCode, new { mfaToken, code });

    /// <summary>Both steps, ending in a session.</summary>
    public static async Task<JsonElement> LoginWithMfaAsync(this HttpClient client, string email, string code) =>
        await (await client.LoginWithCodeAsync(await client.MfaTokenAsync(email), code)).ReadJsonAsync(HttpStatusCode.OK);
}
