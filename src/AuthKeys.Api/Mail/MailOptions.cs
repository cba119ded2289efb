using System.Runtime.CompilerServices;
using AuthKeys.Api.Infrastructure.Configuration;
using MimeKit;

namespace AuthKeys.Api.Mail;

/// <summary>Where mail goes: SMTP_URL and MAIL_FROM.</summary>
public sealed class MailOptions
{
    /// <summary>Null without SMTP_URL: messages then wait in the outbox.</summary>
    public SmtpServerAddress? Smtp { get; set; }

    /// <summary>
    /// The sender as MAIL_FROM gives it, one address checked at start-up. Kept as text so that a node
    /// that sends no mail never loads MimeKit.
    /// </summary>
    public string From { get; set; } = "AuthKeys <no-reply@authkeys.invalid>";

    /// <summary>How often each node looks for messages due again.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsConfigured => Smtp is not null;

    internal static void Bind(MailOptions options, EnvironmentReader env)
    {
        if (env.Value("SMTP_URL") is { } url)
        {
            options.Smtp = SmtpServerAddress.Parse(url);
            if (options.Smtp is null)
                env.Problem("SMTP_URL", "must be smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps://… (TLS from the start)");
        }
        if (env.Value("MAIL_FROM") is { } from)
        {
            if (IsOneAddress(from))
                options.From = from;
            else
                env.Problem("MAIL_FROM", $"must be an address such as AuthKeys <no-reply@example.com> (got '{from}')");
        }
    }

    // Apart, so that compiling Bind does not load MimeKit when MAIL_FROM is not set.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsOneAddress(string value) =>
        MailboxAddress.TryParse(value, out var address) && address.Address.Contains('@', StringComparison.Ordinal);
}

/// <summary>An SMTP server as SMTP_URL names it.</summary>
/// <param name="Host">Its host name or address.</param>
/// <param name="Port">25 for smtp:// and 465 for smtps:// unless given.</param>
/// <param name="ImplicitTls">smtps://: TLS from the first byte; else STARTTLS when the server offers it.</param>
/// <param name="User">For SMTP AUTH, when the URL has one.</param>
/// <param name="Password">For SMTP AUTH; never logged.</param>
public sealed record SmtpServerAddress(string Host, int Port, bool ImplicitTls, string? User, string? Password)
{
    public static SmtpServerAddress? Parse(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps") || uri.Host.Length == 0
            || uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0)
            return null;
        var implicitTls = uri.Scheme == "smtps";
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : null;
        }
        return new SmtpServerAddress(uri.Host, uri.IsDefaultPort ? (implicitTls ? 465 : 25) : uri.Port, implicitTls, user, password);
    }

    /// <summary>Without the password, for logs.</summary>
    public override string ToString() => $"{(ImplicitTls ? "smtps" : "smtp")}://{Host}:{Port}";
}
