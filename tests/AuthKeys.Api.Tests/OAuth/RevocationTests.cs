using System.Net;
using AuthKeys.Api.Tests.Testing;
using Duende.IdentityModel.Client;

namespace AuthKeys.Api.Tests.OAuth;

/// <summary>Ending a credential with nothing but the credential (RFC 7009).</summary>
public sealed class RevocationTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task ARefreshTokenEndsItsSession()
    {
        var account = await _client.SignupAsync();
        var response = await _client.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = Routes.OAuthRevoke, Token = account.RefreshToken, TokenTypeHint = "refresh_token", ClientCredentialStyle = ClientCredentialStyle.PostBody,
        });
        Assert.False(response.IsError, response.Error);
        await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsync(Routes.Refresh, Json.Of(new { refreshToken = account.RefreshToken }))).StatusCode);
    }

    [Fact]
    public async Task AnAccessTokenEndsItsSessionAndNoOther()
    {
        var account = await _client.SignupAsync();
        var other = (await _client.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(account.AccessToken)).StatusCode);
        await (await _client.GetWithTokenAsync(Routes.Me, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.Me, other)).StatusCode);

        var audit = await (await _client.GetWithTokenAsync("/audit", other)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "session.revoked");
    }

    [Fact]
    public async Task AnApiKeyIsRevokedByWhoeverHoldsIt()
    {
        var account = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(key.Key)).StatusCode);
        await (await _client.GetWithKeyAsync(Routes.ServiceOnly, key.Key)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var audit = await (await _client.GetWithTokenAsync("/audit", account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        var revoked = audit.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "key.revoked");
        Assert.Equal(key.Id, revoked.GetProperty("keyId").GetGuid());
        // The reason travels in the event's details, which its webhook delivers.
        await using var db = api.OpenDatabase();
        Assert.Equal(["revoked_by_holder"], await db.ReadColumnAsync($"SELECT details->>'reason' FROM audit_events WHERE key_id = '{key.Id}' AND type = 'key.revoked'"));
    }

    [Theory]
    [InlineData("rt_unknown")]
    [InlineData("sk_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("not.a.token")]
    [InlineData("")]
    public async Task UnknownTokensAreAnswered200AndAMissingOneIsInvalidRequest(string token)
    {
        var response = await RevokeAsync(token);
        if (token.Length == 0)
            Assert.Equal("invalid_request", (await response.ReadJsonAsync(HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        else
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<HttpResponseMessage> RevokeAsync(string token) =>
        _client.PostAsync(Routes.OAuthRevoke, ClientCredentialsTests.Form(("token", token)));
}
