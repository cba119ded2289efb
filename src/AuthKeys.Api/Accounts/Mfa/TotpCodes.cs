using OtpNet;

namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps.</summary>
public static class TotpCodes
{
    public const string Issuer = "AuthKeys";
    public const int Digits = 6;
    private const int StepSeconds = 30;

    /// <summary>The current step and one on either side: a phone's clock may be off by that much.</summary>
    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    /// <summary>160 random bits, base32 as apps take them.</summary>
    public static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));

    public static string UriFor(string email, string secret) =>
        new OtpUri(OtpType.Totp, secret, email, Issuer, OtpHashMode.Sha1, Digits, StepSeconds).ToString();

    /// <summary>The time step <paramref name="code"/> belongs to within the window around <paramref name="now"/>, or null.</summary>
    public static long? Match(string secret, string code, DateTimeOffset now)
    {
        if (code.Length != Digits || !code.All(char.IsAsciiDigit))
            return null;
        var totp = new Totp(Base32Encoding.ToBytes(secret), StepSeconds, OtpHashMode.Sha1, Digits);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, Window) ? step : null;
    }
}
