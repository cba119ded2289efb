using System.Net;
using System.Text;
using Microsoft.Extensions.Primitives;
using System.Net.Http.Headers;

namespace AuthKeys.Api.OAuth;

/// <summary>
/// The form-encoded body of an OAuth request, read by hand rather than bound: anything wrong with
/// it (not a form, a parameter repeated or too long) is OAuth's <c>invalid_request</c>, not a problem-details 400.
/// </summary>
public sealed class OAuthForm
{
    public const int MaxFieldLength = 8192;

    private readonly IFormCollection _fields;

    private OAuthForm(IFormCollection fields) => _fields = fields;

    public string? this[string name] => _fields.TryGetValue(name, out var value) && value.Count == 1 && value[0]!.Length > 0 ? value[0] : null;

    public static async Task<(OAuthForm? Form, OAuthError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
            return (null, new(OAuthError.InvalidRequest, "The body must be application/x-www-form-urlencoded."));
        IFormCollection fields;
        try
        {
            fields = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return (null, new(OAuthError.InvalidRequest, "The body is not a well-formed form."));
        }
        foreach (var (name, value) in fields)
        {
            // RFC 6749 §3.2: a parameter sent twice makes the request invalid.
            if (value.Count > 1)
                return (null, new(OAuthError.InvalidRequest, $"The parameter {Shown(name)} is repeated."));
            if (value[0]!.Length > MaxFieldLength)
                return (null, new(OAuthError.InvalidRequest, $"The parameter {Shown(name)} is longer than {MaxFieldLength} characters."));
        }
        return (new OAuthForm(fields), null);
    }

    private static string Shown(string name) => name.Length <= 40 ? name : name[..40] + "…";
}

/// <summary>How a client presented its API key: its id (when it sent one) and the key.</summary>
public sealed record PresentedClient(Guid? ClientId, string Secret)
{
    private const string ApiKeyHeader = "x-api-key";

    /// <summary>
    /// The one way the client authenticated (HTTP Basic, the form's <c>client_id</c>/<c>client_secret</c>,
    /// or <c>x-api-key</c> where <paramref name="acceptsApiKeyHeader"/>); more than one is invalid, none is no client.
    /// </summary>
    public static (PresentedClient? Client, OAuthError? Error) Read(HttpRequest request, OAuthForm form, bool acceptsApiKeyHeader)
    {
        var ways = new List<(string? Id, string Secret)>();
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            if (!TryReadBasic(authorization, out var basic))
                return (null, new(OAuthError.InvalidClient, "The Authorization header is not HTTP Basic with a client id and secret."));
            ways.Add(basic);
        }
        if (form["client_secret"] is { } postedSecret)
            ways.Add((form["client_id"], postedSecret));
        if (acceptsApiKeyHeader && request.Headers.TryGetValue(ApiKeyHeader, out var header))
            ways.Add((null, header.ToString()));

        if (ways.Count > 1)
            return (null, new(OAuthError.InvalidRequest, "Authenticate the client one way only."));
        if (ways is not [var (id, secret)])
            return (null, new(OAuthError.InvalidClient, "Authenticate with the API key's id and the key: HTTP Basic, or client_id and client_secret in the form."));
        if (id is not null && !Guid.TryParse(id, out _))
            return (null, new(OAuthError.InvalidClient, "The client id is not an API key's id."));
        return (new PresentedClient(id is null ? null : Guid.Parse(id), secret), null);
    }

    /// <summary>RFC 6749 §2.3.1: both parts form-encoded, then joined by a colon and base64-encoded.</summary>
    private static bool TryReadBasic(StringValues header, out (string? Id, string Secret) client)
    {
        client = default;
        if (header.Count != 1 || !AuthenticationHeaderValue.TryParse(header[0], out var value)
            || !"Basic".Equals(value.Scheme, StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
            return false;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            return false;
        client = (WebUtility.UrlDecode(decoded[..colon]), WebUtility.UrlDecode(decoded[(colon + 1)..]));
        return client.Secret.Length > 0;
    }
}
