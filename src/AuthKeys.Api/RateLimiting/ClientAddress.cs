using System.Net;
using System.Net.Sockets;

namespace AuthKeys.Api.RateLimiting;

/// <summary>The one notion of "client" for every per-address limit.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The connection's address, as rewritten by forwarded headers from TRUSTED_PROXIES only (never
    /// a header an untrusted client set), grouped by <see cref="Group"/>. Unknown (as under the
    /// test server) counts as one client.
    /// </summary>
    public static IPAddress Of(HttpContext context) => Group(context.Connection.RemoteIpAddress ?? IPAddress.None);

    /// <summary>
    /// An IPv6 client by its /64: one subscriber is routinely given a whole /64, so counting each
    /// of its 2^64 addresses alone would let it walk past every limit. IPv4-mapped IPv6 counts as
    /// the IPv4 address it carries; IPv4 addresses stand alone.
    /// </summary>
    public static IPAddress Group(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
