using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Tokens;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>Mints a person's access tokens, carrying the session id so that logout can end them.</summary>
public sealed class AccessTokenIssuer(AccessTokens tokens)
{
    /// <summary>The <c>client_id</c> of a person's tokens: AuthKeys' own API is the client they logged in through.</summary>
    public const string FirstPartyClient = "authkeys";

    public int LifetimeSeconds => (int)tokens.Settings.AccessTokenLifetime.TotalSeconds;

    private static readonly string[] PasswordOnly = AuthenticationMethods.Password.Split(' ');
    private static readonly string[] PasswordAndOtp = AuthenticationMethods.PasswordAndOtp.Split(' ');

    public string Issue(Guid userId, string email, bool emailVerified, Guid sessionId, string authMethods, DateTimeOffset authTime) =>
        tokens.Mint(userId.ToString(), FirstPartyClient, tokens.Settings.AccessTokenLifetime, new Dictionary<string, object>
        {
            [AuthClaims.Email] = email,
            [AuthClaims.EmailVerified] = emailVerified,
            [AuthClaims.SessionId] = sessionId.ToString(),
            [AuthClaims.AuthMethods] = authMethods == AuthenticationMethods.PasswordAndOtp ? PasswordAndOtp : PasswordOnly,
            [AuthClaims.AuthTime] = authTime.ToUnixTimeSeconds(),
        });
}
