using System.Net;

namespace AuthKeys.Api.Infrastructure.Web;

/// <summary>Where a request came from, as shown in session lists and the audit log.</summary>
public sealed record RequestOrigin(string? UserAgent, string? IpAddress)
{
    /// <summary>Longest user agent or address kept; longer ones are cut.</summary>
    public const int MaxLength = 256;

    /// <summary>For changes no request made (background jobs).</summary>
    public static readonly RequestOrigin None = new(null, null);

    public static RequestOrigin Of(HttpContext context)
    {
        // As forwarded headers from TRUSTED_PROXIES rewrote it; unknown under the test server.
        var address = context.Connection.RemoteIpAddress;
        return new RequestOrigin(
            Cut(context.Request.Headers.UserAgent.ToString()),
            address is null || address.Equals(IPAddress.None) ? null : Cut(address.ToString()));
    }

    private static string? Cut(string value) =>
        value.Length == 0 ? null
        : value.Length <= MaxLength ? value
        : value[..(char.IsHighSurrogate(value[MaxLength - 1]) ? MaxLength - 1 : MaxLength)];
}
