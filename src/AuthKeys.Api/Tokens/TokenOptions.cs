using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Tokens;

/// <summary>How access tokens are signed, for whom, and for how long.</summary>
public sealed class TokenOptions
{
    public const string Es256 = "ES256";
    public const string Hs256 = "HS256";

    /// <summary>Values that appear in documentation; never acceptable outside Development.</summary>
    private static readonly string[] ExampleSecrets =
    [
        "your-secret-key",
        "change-me-to-a-random-string-of-at-least-32-bytes",
    ];

    /// <summary>JWT_ALGORITHM: ES256 (keys the service generates and publishes) or HS256 (the shared secret).</summary>
    public string Algorithm { get; set; } = Es256;

    /// <summary>JWT_SECRET: signs under HS256; under ES256, when set, still verifies the HS256 tokens issued before the switch.</summary>
    public byte[]? Secret { get; set; }

    public string Issuer { get; set; } = "authkeys";

    public string Audience { get; set; } = "authkeys-clients";

    /// <summary>PUBLIC_URL: where the metadata's endpoints point; null to answer with the request's own host.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>JWT_EXPIRES_IN: a person's access token.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>OAUTH_TOKEN_EXPIRES_IN: a service's token from client credentials.</summary>
    public TimeSpan ServiceTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>JWT_KEY_ROTATION_DAYS: a new signing key is published this long after the last one.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a key is published before it signs, and after its last token expired: a consumer
    /// refreshing its metadata twice as often (the stock JwtBearer refreshes every 12 hours) never
    /// meets a <c>kid</c> it has not seen.
    /// </summary>
    public static readonly TimeSpan PublicationMargin = TimeSpan.FromHours(24);

    /// <summary>The longest any token signed now can live: how long a retired key must still verify.</summary>
    public TimeSpan LongestTokenLifetime => AccessTokenLifetime > ServiceTokenLifetime ? AccessTokenLifetime : ServiceTokenLifetime;

    public bool SignsWithKeys => Algorithm == Es256;

    internal static void Bind(TokenOptions options, EnvironmentReader env, IHostEnvironment host)
    {
        var algorithm = env.Value("JWT_ALGORITHM", options.Algorithm).ToUpperInvariant();
        if (algorithm is Es256 or Hs256)
            options.Algorithm = algorithm;
        else
            env.Problem("JWT_ALGORITHM", $"must be ES256 or HS256 (got '{algorithm}')");

        var secret = env.Value("JWT_SECRET");
        if (secret is null)
        {
            if (options.Algorithm == Hs256 && host.IsDevelopment())
                options.Secret = RandomNumberGenerator.GetBytes(32); // Tokens then last until the process restarts.
            else if (options.Algorithm == Hs256)
                env.Problem("JWT_SECRET", "is required with JWT_ALGORITHM=HS256 outside Development (at least 32 bytes, e.g. `openssl rand -base64 48`)");
        }
        else if (Encoding.UTF8.GetByteCount(secret) < 32)
            env.Problem("JWT_SECRET", "must be at least 32 bytes long");
        else if (!host.IsDevelopment() && ExampleSecrets.Contains(secret, StringComparer.OrdinalIgnoreCase))
            env.Problem("JWT_SECRET", "is the example value from the documentation; set a random secret");
        else
            options.Secret = Encoding.UTF8.GetBytes(secret);

        options.PublicUrl = env.HttpUrl("PUBLIC_URL");
        // The issuer a consumer's Authority names: the public address when there is one.
        options.Issuer = env.Value("JWT_ISSUER") ?? options.PublicUrl?.AbsoluteUri.TrimEnd('/') ?? options.Issuer;
        options.Audience = env.Value("JWT_AUDIENCE", options.Audience);
        options.AccessTokenLifetime = env.Duration("JWT_EXPIRES_IN", options.AccessTokenLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        options.ServiceTokenLifetime = env.Duration("OAUTH_TOKEN_EXPIRES_IN", options.ServiceTokenLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        options.KeyRotationInterval = TimeSpan.FromDays(env.WholeNumber("JWT_KEY_ROTATION_DAYS", (int)options.KeyRotationInterval.TotalDays, 2, 3650));
    }
}
