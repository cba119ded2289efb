using System.Net;
using System.Security.Cryptography;
using AuthKeys.Api.Tokens;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Tests.Accounts.Sessions;

public sealed class AccessTokenTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthKeysApiFactory _api;
    private HttpClient _client = null!;

    public AccessTokenTests() => _api = new AuthKeysApiFactory { Time = _time };

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task AValidTokenOpensTheUserOnlyRoute()
    {
        var account = await _client.SignupAsync();
        var body = await (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("user", body.GetProperty("accessType").GetString());
        Assert.Equal(account.UserId, body.GetProperty("user").GetProperty("userId").GetGuid());
        Assert.Equal(account.Email, body.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("user", body.GetProperty("user").GetProperty("type").GetString());
        Assert.Equal(["userId", "email", "type"], body.GetProperty("user").EnumerateObject().Select(p => p.Name)); // the reference's shape: no keyId
    }

    [Fact]
    public async Task AnExpiredTokenIsRefused()
    {
        var account = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(31)); // lifetime + clock skew
        await AssertRefusedAsync(account.AccessToken);
    }

    [Fact]
    public async Task ATokenWithinItsLifetimeStillWorks()
    {
        var account = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task ATokenIsAnEs256AccessTokenOfRfc9068()
    {
        var account = await _client.SignupAsync();
        var header = Jwts.Header(account.AccessToken);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Equal(ServiceKey.KeyId, header.GetProperty("kid").GetString());
        var claims = Jwts.Payload(account.AccessToken);
        foreach (var claim in new[] { "iss", "sub", "aud", "exp", "iat", "jti", "client_id", "auth_time", "sid", "email" })
            Assert.True(claims.TryGetProperty(claim, out _), claim);
        Assert.Equal(account.UserId.ToString(), claims.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task AlgNoneIsRefused()
    {
        var account = await _client.SignupAsync();
        await AssertRefusedAsync(Jwts.WithoutSignature(account.AccessToken));
    }

    [Fact]
    public async Task AnotherAlgorithmWithTheSharedSecretIsRefused()
    {
        var account = await _client.SignupAsync();
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, _ => { }, Jwts.Hmac(AuthKeysApiFactory.JwtSecret, algorithm: SecurityAlgorithms.HmacSha384)));
    }

    [Fact]
    public async Task Hs256SignedWithThePublicKeyIsRefused()
    {
        // Algorithm confusion: the published key used as an HMAC secret, under the real kid.
        var account = await _client.SignupAsync();
        var publicKey = ((ECDsaSecurityKey)ServiceKey).ECDsa.ExportSubjectPublicKeyInfo();
        var confused = new SigningCredentials(new SymmetricSecurityKey(publicKey) { KeyId = ServiceKey.KeyId }, SecurityAlgorithms.HmacSha256);
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, _ => { }, confused));
    }

    [Fact]
    public async Task AForgedSignatureUnderOurKidIsRefused()
    {
        var account = await _client.SignupAsync();
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, _ => { }, AttackersKey(ServiceKey.KeyId)));
    }

    [Fact]
    public async Task AnUnknownKidIsRefused()
    {
        var account = await _client.SignupAsync();
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, _ => { }, AttackersKey("someone-elses-key")));
    }

    [Fact]
    public async Task ATypeOtherThanAtJwtIsRefused()
    {
        var account = await _client.SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, Jwts.Forge(account.AccessToken, _ => { }, ServiceCredentials))).StatusCode);
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, _ => { }, ServiceCredentials, type: "JWT"));
    }

    [Fact]
    public async Task ATamperedPayloadIsRefused()
    {
        var account = await _client.SignupAsync();
        var other = await _client.SignupAsync();
        var parts = account.AccessToken.Split('.');
        var tampered = $"{parts[0]}.{other.AccessToken.Split('.')[1]}.{parts[2]}";
        await AssertRefusedAsync(tampered);
    }

    [Theory]
    [InlineData("aud", "someone-else")]
    [InlineData("iss", "someone-else")]
    public async Task AWrongAudienceOrIssuerIsRefused(string claim, string value)
    {
        var account = await _client.SignupAsync();
        // The control: re-signing with the service's key and unchanged claims is accepted.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(Routes.UserOnly, Jwts.Forge(account.AccessToken, _ => { }, ServiceCredentials))).StatusCode);
        await AssertRefusedAsync(Jwts.Forge(account.AccessToken, c => c[claim] = value, ServiceCredentials));
    }

    private SigningCredentials ServiceCredentials => _api.Services.GetRequiredService<SigningKeyRing>().SigningCredentials;

    private SecurityKey ServiceKey => ServiceCredentials.Key;

    private static SigningCredentials AttackersKey(string kid) =>
        new(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256);

    [Fact]
    public async Task ARefreshTokenSentAsABearerTokenIsRefused()
    {
        var account = await _client.SignupAsync();
        await AssertRefusedAsync(account.RefreshToken);
    }

    [Fact]
    public async Task AnApiKeyAloneDoesNotOpenTheUserOnlyRoute()
    {
        var account = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken);
        var response = await _client.GetWithKeyAsync(Routes.UserOnly, key.Key);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    private async Task AssertRefusedAsync(string token)
    {
        var response = await _client.GetWithTokenAsync(Routes.UserOnly, token);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.First().Scheme);
    }
}
