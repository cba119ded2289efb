using AuthKeys.Api.Infrastructure.Web;

namespace AuthKeys.Api.Accounts.Sessions;

/// <summary>One login: a chain of refresh tokens and the access tokens minted from them.</summary>
public sealed class Session
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public User User { get; set; } = null!;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When its refresh token was last exchanged; null until the first refresh.</summary>
    public DateTimeOffset? LastRefreshedAt { get; set; }

    /// <summary>The User-Agent of the request that opened it, cut to <see cref="DetailMaxLength"/>.</summary>
    public string? UserAgent { get; set; }

    /// <summary>The client address of the request that opened it, as the rate limiter sees it.</summary>
    public string? IpAddress { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>How its login was proven, as the access tokens' <c>amr</c> says it: "pwd" or "pwd otp".</summary>
    public string AuthMethods { get; set; } = AuthenticationMethods.Password;

    public List<RefreshToken> RefreshTokens { get; } = [];

    public const int DetailMaxLength = RequestOrigin.MaxLength;
}

/// <summary>The values of a session's <c>amr</c> (RFC 8176), space-separated as stored.</summary>
public static class AuthenticationMethods
{
    public const int MaxLength = 16;

    public const string Password = "pwd";
    public const string PasswordAndOtp = "pwd otp";
}

/// <summary>
/// A refresh token is stored only as its SHA-256. Spent tokens are kept so that a replay of one
/// is recognised as theft and revokes the whole session.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public Guid SessionId { get; set; }

    public Session Session { get; set; } = null!;

    /// <summary>The token this one replaced, or null for the first token of a session.</summary>
    public Guid? ParentId { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? SpentAt { get; set; }
}
