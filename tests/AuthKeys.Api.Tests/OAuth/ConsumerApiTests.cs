using System.Net;
using AuthKeys.Api.Tests.Testing;
using AuthKeys.Api.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace AuthKeys.Api.Tests.OAuth;

/// <summary>A stock ASP.NET Core API verifying AuthKeys' tokens on its own.</summary>
public sealed class ConsumerApiTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new();
    private ConsumerApi _consumer = null!;
    private HttpClient _client = null!;

    public ConsumerApiTests() => ConsumerApi.Configure(_api);

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
        _consumer = await ConsumerApi.StartAsync(_api);
    }

    public async Task DisposeAsync()
    {
        await _consumer.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task APersonsTokenIsAccepted()
    {
        var account = await _client.SignupAsync();
        var response = await _consumer.Client.GetWithTokenAsync(ConsumerApi.Orders, account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(account.UserId.ToString(), await response.Content.ReadAsStringAsync());
        Assert.Equal(ConsumerApi.Issuer, Jwts.Payload(account.AccessToken).GetProperty("iss").GetString());
    }

    [Fact]
    public async Task TamperedExpiredAndWrongAudienceTokensAreRefused()
    {
        var account = await _client.SignupAsync();
        var other = await _client.SignupAsync();
        var parts = account.AccessToken.Split('.');
        await AssertRefusedAsync($"{parts[0]}.{other.AccessToken.Split('.')[1]}.{parts[2]}");

        // Signed with AuthKeys' own key: the control passes, the changed claims do not.
        var signing = _api.Services.GetRequiredService<SigningKeyRing>().SigningCredentials;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(HttpStatusCode.OK, (await _consumer.Client.GetWithTokenAsync(ConsumerApi.Orders, Jwts.Forge(account.AccessToken, _ => { }, signing))).StatusCode);
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, c => c["aud"] = "someone-else", signing));
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, c => (c["iat"], c["nbf"], c["exp"]) = (now - 3600, now - 3600, now - 900), signing));
    }

    private async Task AssertRefusedAsync(string token) =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await _consumer.Client.GetWithTokenAsync(ConsumerApi.Orders, token)).StatusCode);
}
