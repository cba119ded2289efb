using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Accounts;

public sealed class AuthOptions
{
    /// <summary>Values that appear in documentation; never acceptable outside Development.</summary>
    private static readonly string[] ExampleSecrets =
    [
        "your-secret-key",
        "change-me-to-a-random-string-of-at-least-32-bytes",
    ];

    public byte[] JwtSecret { get; set; } = [];

    public string Issuer { get; set; } = "authkeys";

    public string Audience { get; set; } = "authkeys-clients";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>SESSION_MAX_LIFETIME: however often it is refreshed, a session ends this long after its login.</summary>
    public TimeSpan SessionMaxLifetime { get; set; } = TimeSpan.FromDays(30);

    public int PasswordHashCost { get; set; } = 11;

    /// <summary>PASSWORD_HASH_CONCURRENCY: bcrypt hashes run at once; the rest queue.</summary>
    public int PasswordHashConcurrency { get; set; } = DefaultHashConcurrency;

    /// <summary>PASSWORD_HASH_QUEUE: hashes that may wait for a slot; more are answered 503.</summary>
    public int PasswordHashQueue { get; set; } = 256;

    /// <summary>
    /// One per core: fewer leaves cores idle during a login storm, more lets hashing crowd out
    /// API-key traffic on every core (bench/logins.sh measures both).
    /// </summary>
    public static int DefaultHashConcurrency => Environment.ProcessorCount;

    internal static void Bind(AuthOptions options, EnvironmentReader env, IHostEnvironment host)
    {
        var secret = env.Value("JWT_SECRET");
        if (secret is null)
        {
            if (host.IsDevelopment())
                options.JwtSecret = RandomNumberGenerator.GetBytes(32); // Tokens then last until the process restarts.
            else
                env.Problem("JWT_SECRET", "is required outside Development (at least 32 bytes, e.g. `openssl rand -base64 48`)");
        }
        else if (Encoding.UTF8.GetByteCount(secret) < 32)
            env.Problem("JWT_SECRET", "must be at least 32 bytes long");
        else if (!host.IsDevelopment() && ExampleSecrets.Contains(secret, StringComparer.OrdinalIgnoreCase))
            env.Problem("JWT_SECRET", "is the example value from the documentation; set a random secret");
        else
            options.JwtSecret = Encoding.UTF8.GetBytes(secret);

        options.Issuer = env.Value("JWT_ISSUER", options.Issuer);
        options.Audience = env.Value("JWT_AUDIENCE", options.Audience);
        options.AccessTokenLifetime = env.Duration("JWT_EXPIRES_IN", options.AccessTokenLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        options.RefreshTokenLifetime = env.Duration("JWT_REFRESH_EXPIRES_IN", options.RefreshTokenLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        options.SessionMaxLifetime = env.Duration("SESSION_MAX_LIFETIME", options.SessionMaxLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        options.RefreshReuseGrace = env.Duration("REFRESH_REUSE_GRACE_SECONDS", options.RefreshReuseGrace, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        options.PasswordHashCost = env.WholeNumber("PASSWORD_HASH_COST", options.PasswordHashCost, 4, 31);
        options.PasswordHashQueue = env.WholeNumber("PASSWORD_HASH_QUEUE", options.PasswordHashQueue, 0, 100_000);
        options.PasswordHashConcurrency = env.WholeNumber("PASSWORD_HASH_CONCURRENCY", options.PasswordHashConcurrency, 1, 256);
    }
}
