using System.Net;

namespace AuthKeys.Api.RateLimiting;

/// <summary>The one notion of "client" for every per-IP limit.</summary>
internal static class ClientAddress
{
    /// <summary>
    /// The connection's address, as rewritten by forwarded headers from TRUSTED_PROXIES only; never
    /// a header an untrusted client set. Unknown (as under the test server) counts as one client.
    /// </summary>
    public static IPAddress Of(HttpContext context) => context.Connection.RemoteIpAddress ?? IPAddress.None;
}
