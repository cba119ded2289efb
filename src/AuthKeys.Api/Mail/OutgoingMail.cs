using System.Net;
using System.Text;

namespace AuthKeys.Api.Mail;

/// <summary>A message as the features compose it: a plain-text and an HTML part saying the same.</summary>
public sealed record OutgoingMail(string Recipient, string Subject, string Text, string Html)
{
    /// <summary>
    /// The one layout of every message: a heading, what happened, an optional link to act on, and
    /// the request it came from (when, from which address, with which user agent) with what to do
    /// if it was not the owner.
    /// </summary>
    public static OutgoingMail Compose(string recipient, string subject, IReadOnlyList<string> paragraphs,
        (string Label, string Url)? action, MailOrigin origin, string ifNotYou)
    {
        var text = new StringBuilder();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5;max-width:36em\">")
            .Append("<h1 style=\"font-size:1.3em\">").Append(Encode(subject)).Append("</h1>");
        foreach (var paragraph in paragraphs)
        {
            text.Append(paragraph).Append("\n\n");
            html.Append("<p>").Append(Encode(paragraph)).Append("</p>");
        }
        if (action is var (label, url))
        {
            text.Append(label).Append(":\n").Append(url).Append("\n\n");
            html.Append("<p><a href=\"").Append(Encode(url)).Append("\">").Append(Encode(label)).Append("</a></p>")
                .Append("<p style=\"font-size:.9em;color:#555\">Or open this address: ").Append(Encode(url)).Append("</p>");
        }
        var details = origin.Describe();
        text.Append(details).Append("\n\n").Append(ifNotYou).Append('\n');
        html.Append("<p style=\"font-size:.9em;color:#555\">").Append(Encode(details)).Append("</p>")
            .Append("<p style=\"font-size:.9em;color:#555\">").Append(Encode(ifNotYou)).Append("</p></body></html>");
        return new OutgoingMail(recipient, subject, text.ToString(), html.ToString());
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}

/// <summary>The request a message answers: when, from which client address, with which user agent.</summary>
public sealed record MailOrigin(DateTimeOffset At, string? IpAddress, string? UserAgent)
{
    public string Describe() =>
        $"This happened at {At.UtcDateTime:yyyy-MM-dd HH:mm} UTC, from the address {IpAddress ?? "(unknown)"}, with {UserAgent ?? "an unknown client"}.";
}
