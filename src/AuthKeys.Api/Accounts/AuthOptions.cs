using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Accounts;

public sealed class AuthOptions
{
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

    internal static void Bind(AuthOptions options, EnvironmentReader env)
    {
        options.RefreshTokenLifetime = env.Duration("JWT_REFRESH_EXPIRES_IN", options.RefreshTokenLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        options.SessionMaxLifetime = env.Duration("SESSION_MAX_LIFETIME", options.SessionMaxLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        options.RefreshReuseGrace = env.Duration("REFRESH_REUSE_GRACE_SECONDS", options.RefreshReuseGrace, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        options.PasswordHashCost = env.WholeNumber("PASSWORD_HASH_COST", options.PasswordHashCost, 4, 31);
        options.PasswordHashQueue = env.WholeNumber("PASSWORD_HASH_QUEUE", options.PasswordHashQueue, 0, 100_000);
        options.PasswordHashConcurrency = env.WholeNumber("PASSWORD_HASH_CONCURRENCY", options.PasswordHashConcurrency, 1, 256);
    }
}
