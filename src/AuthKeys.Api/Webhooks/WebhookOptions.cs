using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Webhooks;

public sealed class WebhookOptions
{
    /// <summary>WEBHOOK_ALLOW_PRIVATE_TARGETS: http and non-public addresses allowed (tests, local development).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How often each node looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each node looks for keys whose key.expiring notice is due.</summary>
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromMinutes(10);

    internal static void Bind(WebhookOptions options, EnvironmentReader env)
    {
        options.AllowPrivateTargets = env.YesNo("WEBHOOK_ALLOW_PRIVATE_TARGETS", options.AllowPrivateTargets);
    }
}
