using AuthKeys.Api.Infrastructure.Configuration;

namespace AuthKeys.Api.Accounts.Email;

public sealed class EmailOptions
{
    /// <summary>Where the links in mail point: EMAIL_LINK_BASE_URL, else PUBLIC_URL, else this service on localhost.</summary>
    public Uri LinkBase { get; set; } = new("http://localhost:3000");

    /// <summary>EMAIL_VERIFICATION_REQUIRED: an unverified account's JWT reaches only /auth/*.</summary>
    public bool VerificationRequired { get; set; }

    public static readonly TimeSpan VerificationLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan ResetLifetime = TimeSpan.FromMinutes(30);

    internal static void Bind(EmailOptions options, EnvironmentReader env)
    {
        var name = env.Value("EMAIL_LINK_BASE_URL") is null ? "PUBLIC_URL" : "EMAIL_LINK_BASE_URL";
        if (env.Value(name) is null)
            // PORT's own check reports a bad value; a link to a port that does not parse would never be sent anyway.
            options.LinkBase = new Uri($"http://localhost:{(int.TryParse(env.Value("PORT"), out var port) && port is > 0 and < 65536 ? port : 3000)}");
        else if (env.HttpUrl(name) is { } uri)
            options.LinkBase = uri;
        options.VerificationRequired = env.YesNo("EMAIL_VERIFICATION_REQUIRED", options.VerificationRequired);
    }

    /// <summary>The link of a page with its token: <c>{base}/account/{page}?token=…</c>.</summary>
    public string Link(string page, string token) =>
        $"{LinkBase.AbsoluteUri.TrimEnd('/')}/account/{page}?token={Uri.EscapeDataString(token)}";
}
