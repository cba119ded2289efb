using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Webhooks;

public sealed class WebhookOptions
{
    /// <summary>WEBHOOK_ALLOW_PRIVATE_TARGETS: http and non-public addresses allowed (tests, local development).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>WEBHOOK_SECRET_KEY: what the stored signing secrets are encrypted with; JWT_SECRET when unset.</summary>
    public byte[] SecretKey { get; set; } = [];

    /// <summary>How often each node looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each node looks for keys whose key.expiring notice is due.</summary>
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromMinutes(10);

    internal static void Bind(WebhookOptions options, EnvironmentReader env)
    {
        options.AllowPrivateTargets = env.YesNo("WEBHOOK_ALLOW_PRIVATE_TARGETS", options.AllowPrivateTargets);
        if (env.Value("WEBHOOK_SECRET_KEY") is { } key)
        {
            if (Encoding.UTF8.GetByteCount(key) < 32)
                env.Problem("WEBHOOK_SECRET_KEY", "must be at least 32 bytes long");
            else
                options.SecretKey = Encoding.UTF8.GetBytes(key);
        }
        // Else JWT_SECRET, whose own checks stop a start-up without a usable one outside
        // Development; there, without either, a process's secrets open only until it restarts.
        else if (env.Value("JWT_SECRET") is { } jwtSecret && Encoding.UTF8.GetByteCount(jwtSecret) >= 32)
            options.SecretKey = Encoding.UTF8.GetBytes(jwtSecret);
        else
            options.SecretKey = RandomNumberGenerator.GetBytes(32);
    }
}
