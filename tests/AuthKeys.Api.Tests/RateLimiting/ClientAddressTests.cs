using System.Net;
using AuthKeys.Api.RateLimiting;

namespace AuthKeys.Api.Tests.RateLimiting;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::1", "::")]
    public void IPv6ClientsCountByTheir64AndMappedIPv4AsIPv4(string address, string client) =>
        Assert.Equal(IPAddress.Parse(client), ClientAddress.Group(IPAddress.Parse(address)));

    [Fact]
    public void TwoAddressesOfOneSubscribersNetworkAreOneClient() =>
        Assert.Equal(ClientAddress.Group(IPAddress.Parse("2001:db8:5:6::1")), ClientAddress.Group(IPAddress.Parse("2001:db8:5:6:ffff::42")));
}
