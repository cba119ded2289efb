namespace AuthKeys.Api.Infrastructure.Security;

internal static class ClientAddress
{
    /// <summary>The caller's IP as seen after trusted forwarded headers; never a header an untrusted client set.</summary>
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
