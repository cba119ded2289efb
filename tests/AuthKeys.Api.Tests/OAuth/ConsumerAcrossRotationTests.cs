using System.Net;
using AuthKeys.Api.Tests.Testing;
using AuthKeys.Api.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace AuthKeys.Api.Tests.OAuth;

/// <summary>
/// A stock consumer across a scheduled key rotation never meets a key it has not seen. AuthKeys'
/// clock starts a rotation interval and a day in the past, so that the rotation's last steps fall
/// on the real clock the consumer validates with.
/// </summary>
public sealed class ConsumerAcrossRotationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow - TimeSpan.FromDays(31) - TimeSpan.FromMinutes(2));
    private readonly AuthKeysApiFactory _api;
    private ConsumerApi _consumer = null!;

    public ConsumerAcrossRotationTests()
    {
        _api = new AuthKeysApiFactory { Time = _time };
        ConsumerApi.Configure(_api);
    }

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _consumer = await ConsumerApi.StartAsync(_api);
    }

    public async Task DisposeAsync()
    {
        await _consumer.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task NoTokenIsRefusedAcrossARotation()
    {
        var client = _api.CreateClient();
        var account = await client.SignupAsync();
        var ring = _api.Services.GetRequiredService<SigningKeyRing>();
        var first = ring.SigningCredentials.Key.KeyId;
        Assert.Contains(await KidsAsync(), k => k == first); // the consumer's first fetch

        // The rotation interval passes: the next key is published, and signs nothing for a day.
        _time.Advance(TimeSpan.FromDays(30));
        await _api.WithServicesAsync<SigningKeyStore>(store => store.MaintainAsync(CancellationToken.None));
        var next = Assert.Single(ring.Published, k => k.KeyId != first).KeyId;
        Assert.Equal(first, ring.SigningCredentials.Key.KeyId);

        // Within that day the consumer refreshes its metadata, as the stock handler does every 12 hours.
        _consumer.Metadata.RequestRefresh();
        await Poll.UntilAsync(async () => (await KidsAsync()).Contains(next), TimeSpan.FromSeconds(10), "the consumer holds the next key");

        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        var signedByFirst = (await client.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        Assert.Equal(first, Jwts.Header(signedByFirst).GetProperty("kid").GetString());

        _time.Advance(TimeSpan.FromMinutes(2)); // the next key signs now
        var signedByNext = (await client.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        Assert.Equal(next, Jwts.Header(signedByNext).GetProperty("kid").GetString());
        Assert.Contains(ring.Published, k => k.KeyId == first); // its tokens are still alive

        foreach (var token in new[] { signedByNext, signedByFirst })
        {
            Assert.Equal(HttpStatusCode.OK, (await _consumer.Client.GetWithTokenAsync(ConsumerApi.Orders, token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(Routes.UserOnly, token)).StatusCode);
        }

        // Once the first key's last token has expired, and a day more, it leaves the key set.
        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromHours(24));
        await _api.WithServicesAsync<SigningKeyStore>(store => store.MaintainAsync(CancellationToken.None));
        Assert.Equal([next], ring.Published.Select(k => k.KeyId));
    }

    private async Task<List<string>> KidsAsync() =>
        [.. ((OpenIdConnectConfiguration)await _consumer.Metadata.GetConfigurationAsync(CancellationToken.None)).SigningKeys.Select(k => k.KeyId)];
}
