using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>Mints HS256 access tokens carrying the session id, so that logout can revoke them.</summary>
public sealed class AccessTokenIssuer(IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials = new(new SymmetricSecurityKey(options.Value.JwtSecret), SecurityAlgorithms.HmacSha256);

    public int LifetimeSeconds => (int)options.Value.AccessTokenLifetime.TotalSeconds;

    private static readonly string[] PasswordOnly = AuthenticationMethods.Password.Split(' ');
    private static readonly string[] PasswordAndOtp = AuthenticationMethods.PasswordAndOtp.Split(' ');

    public string Issue(Guid userId, string email, bool emailVerified, Guid sessionId, string authMethods)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.Value.AccessTokenLifetime,
            SigningCredentials = _credentials,
            Claims = new Dictionary<string, object>
            {
                [AuthClaims.Subject] = userId.ToString(),
                [AuthClaims.Email] = email,
                [AuthClaims.EmailVerified] = emailVerified,
                [AuthClaims.SessionId] = sessionId.ToString(),
                [AuthClaims.AuthMethods] = authMethods == AuthenticationMethods.PasswordAndOtp ? PasswordAndOtp : PasswordOnly,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
            },
        });
    }
}
