using AuthKeys.Api.Tests.Testing;
using AuthKeys.Client;

namespace AuthKeys.Api.Tests.Client;

public sealed partial class ShippedClientTests
{
    [Fact]
    public async Task AServiceTradesItsKeyAndAResourceServerIntrospectsThroughTheClient()
    {
        var signup = await Client(_ => { }).SignupAsync(new SignupRequest { Email = ApiClientExtensions.NewEmail("client"), Password = ApiClientExtensions.Password });
        var owner = Client(o => o.AccessToken = (_, _) => ValueTask.FromResult<string?>(signup.AccessToken));
        var service = await owner.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "billing", Scopes = ["demo:read"] });
        var resourceServer = await owner.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "orders", Scopes = ["tokens:introspect"] });

        var anonymous = Client(_ => { });
        var token = await anonymous.RequestServiceTokenAsync(new ClientCredentialsRequest
        {
            Grant_type = "client_credentials", Client_id = service.Id.ToString(), Client_secret = service.Key,
        });
        Assert.Equal(("Bearer", "demo:read"), (token.Token_type, token.Scope));

        var described = await anonymous.IntrospectTokenAsync(new TokenRequest
        {
            Token = token.Access_token, Client_id = resourceServer.Id.ToString(), Client_secret = resourceServer.Key,
        });
        Assert.True(described.Active);
        Assert.Equal(service.Id.ToString(), described.Client_id);

        var refused = await Assert.ThrowsAsync<AuthKeysApiException<OAuthError>>(() => anonymous.RequestServiceTokenAsync(new ClientCredentialsRequest
        {
            Grant_type = "client_credentials", Client_id = service.Id.ToString(), Client_secret = resourceServer.Key,
        }));
        Assert.Equal((401, "invalid_client"), (refused.StatusCode, refused.Result.Error));

        await anonymous.RevokeTokenAsync(new TokenRequest { Token = service.Key });
        Assert.False((await anonymous.IntrospectTokenAsync(new TokenRequest
        {
            Token = token.Access_token, Client_id = resourceServer.Id.ToString(), Client_secret = resourceServer.Key,
        })).Active);
    }
}
