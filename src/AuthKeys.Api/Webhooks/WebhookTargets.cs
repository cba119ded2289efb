using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Webhooks;

/// <summary>
/// Where webhooks may post: https on public addresses only, checked at registration and again at
/// every connection after DNS resolution (a name can start resolving to an internal address after
/// it was registered), unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true.
/// </summary>
public sealed class WebhookTargets(IOptions<WebhookOptions> options)
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Why <paramref name="url"/> cannot be a target, or null when it can.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            return "Must be an absolute https URL.";
        if (uri.UserInfo.Length > 0)
            return "Must not contain credentials; authenticate receivers by the signature.";
        if (options.Value.AllowPrivateTargets)
            return null;
        if (uri.Scheme != "https")
            return "Must use https.";

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.DnsSafeHost, out var literal))
            addresses = [literal];
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ResolveTimeout);
                addresses = await Dns.GetHostAddressesAsync(uri.DnsSafeHost, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return "The host name does not resolve.";
            }
        }
        return addresses.Length > 0 && Array.TrueForAll(addresses, IsPublic)
            ? null
            : "Must be on a public address: loopback, private, link-local, unique-local and metadata addresses are refused.";
    }

    /// <summary>
    /// The webhook client's connect step: resolves the name itself and refuses non-public
    /// addresses before any byte is sent, so no later DNS answer can steer a delivery inside.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (!options.Value.AllowPrivateTargets && !Array.TrueForAll(addresses, IsPublic))
            throw new WebhookTargetRefusedException();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Globally routable unicast: nothing loopback, private, link-local, shared, reserved or documentation-only.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return IsPublicV4(bytes[..length]);
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
            return false;
        if (bytes[..12].IndexOfAnyExcept((byte)0) < 0)
            return false; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
        if (bytes[..12].SequenceEqual((ReadOnlySpan<byte>)[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]))
            return IsPublicV4(bytes[12..]); // NAT64 reaches the IPv4 address it embeds
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
            return IsPublicV4(bytes[2..6]); // so does 6to4
        if (bytes[0] == 0x20 && bytes[1] == 0x01 && ((bytes[2] == 0 && bytes[3] == 0) || (bytes[2] == 0x0d && bytes[3] == 0xb8)))
            return false; // Teredo, documentation
        return (bytes[0] & 0xE0) == 0x20; // global unicast, 2000::/3
    }

    private static bool IsPublicV4(ReadOnlySpan<byte> b) => b[0] switch
    {
        0 or 10 or 127 or >= 224 => false,                       // "this" network, private, loopback, multicast and reserved
        100 => (b[1] & 0xC0) != 64,                               // 100.64.0.0/10 shared (carrier-grade NAT)
        169 => b[1] != 254,                                       // link-local, where cloud metadata lives
        172 => (b[1] & 0xF0) != 16,                               // 172.16.0.0/12 private
        192 => !(b[1] == 168 || (b[1] == 0 && b[2] is 0 or 2) || (b[1] == 88 && b[2] == 99)),
        198 => (b[1] & 0xFE) != 18 && !(b[1] == 51 && b[2] == 100), // benchmarking, documentation
        203 => !(b[1] == 0 && b[2] == 113),                        // documentation
        _ => true,
    };
}

/// <summary>A delivery's target resolved to an address webhooks may not reach.</summary>
public sealed class WebhookTargetRefusedException() : Exception("The webhook target resolves to a non-public address.");
