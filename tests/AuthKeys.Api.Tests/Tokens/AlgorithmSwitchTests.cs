using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Tokens;

/// <summary>JWT_ALGORITHM=HS256 keeps the shared secret; tokens signed before a switch stay valid until they expire.</summary>
public sealed class AlgorithmSwitchTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _shared = new() { Settings = { ["JWT_ALGORITHM"] = "HS256" } };
    private AuthKeysApiFactory _keys = null!;

    public async Task InitializeAsync()
    {
        await _shared.StartAsync();
        await _shared.UntilListeningAsync();
        // The same deployment after the switch to ES256 (the secret still set), beside a node not yet switched.
        _keys = new AuthKeysApiFactory { SameDatabaseAs = _shared };
        await _keys.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _keys.DisposeAsync();
        await _shared.DisposeAsync();
    }

    [Fact]
    public async Task Hs256SignsWithTheSecretAndPublishesNoKey()
    {
        var client = _shared.CreateClient();
        var account = await client.SignupAsync();
        var header = Jwts.Header(account.AccessToken);
        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
        var keys = (await (await client.GetAsync(Routes.Jwks)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("keys");
        Assert.DoesNotContain(keys.EnumerateArray(), k => k.GetProperty("kid").GetString() == header.GetProperty("kid").GetString());
    }

    [Fact]
    public async Task TokensOfEitherAlgorithmAreAcceptedAcrossTheSwitch()
    {
        var before = await _shared.CreateClient().SignupAsync();
        var after = await _keys.CreateClient().SignupAsync();
        Assert.Equal("ES256", Jwts.Header(after.AccessToken).GetProperty("alg").GetString());

        Assert.Equal(HttpStatusCode.OK, (await _keys.CreateClient().GetWithTokenAsync(Routes.UserOnly, before.AccessToken)).StatusCode);
        // The node not yet switched learns the new key from the notice.
        await Poll.UntilAsync(async () => (await _shared.CreateClient().GetWithTokenAsync(Routes.UserOnly, after.AccessToken)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), "the HS256 node accepts the ES256 node's token");
    }
}
