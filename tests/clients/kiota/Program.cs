// The contract's flow through a Kiota client generated with the README's command and its default
// options. Built by tests/clients/check.sh; `dotnet run -- http://localhost:3000` runs it.
using AuthKeys.Client;
using AuthKeys.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

var baseUrl = args.Length > 0 ? args[0] : "http://localhost:3000";
var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider()) { BaseUrl = baseUrl };
var client = new AuthKeysClient(adapter);

Action<RequestConfiguration<DefaultQueryParameters>> Bearer(string token) => c => c.Headers.Add("Authorization", $"Bearer {token}");
Action<RequestConfiguration<DefaultQueryParameters>> Key(string key) => c => c.Headers.Add("x-api-key", key);

var email = $"kiota-{Guid.NewGuid():N}@example.com";
const string password = "Tangerine-Kite-42";

var signup = await client.Auth.Signup.PostAsync(new SignupRequest { Email = email, Password = password, Name = "Kiota User" })
    ?? throw new InvalidOperationException("signup: no body");
var accessToken = signup.AccessToken!;
var userId = signup.User!.Id;

await ExpectProblemAsync(409, () => client.Auth.Signup.PostAsync(new SignupRequest { Email = email, Password = password }));

var created = await client.Keys.Create.PostAsync(
    new CreateApiKeyRequest { Name = "kiota-service", Scopes = ["demo:read"], RateLimit = new KeyRateLimit { Limit = 100, WindowSeconds = 60 } },
    Bearer(accessToken)) ?? throw new InvalidOperationException("key create: no body");
var keyId = created.Id!.Value;
var key = created.Key!;

Expect((await client.Keys.GetAsync(Bearer(accessToken)))!.Any(k => k.Id == keyId && k.IsActive == true), "key list");
Expect((await client.Keys[keyId].GetAsync(Bearer(accessToken)))!.RateLimit!.Limit == 100, "key read");

ExpectCaller(await client.Protected.UserOnly.GetAsync(Bearer(accessToken)), Caller_type.User, null, "user-only with a JWT");
ExpectCaller(await client.Protected.ServiceOnly.GetAsync(Key(key)), Caller_type.Service, keyId, "service-only with a key");
ExpectCaller(await client.Protected.Flexible.GetAsync(Bearer(accessToken)), Caller_type.User, null, "flexible with a JWT");
ExpectCaller(await client.Protected.Flexible.GetAsync(Key(key)), Caller_type.Service, keyId, "flexible with a key");
ExpectCaller(await client.Protected.Scoped.GetAsync(Key(key)), Caller_type.Service, keyId, "scoped with a key");
await ExpectProblemAsync(401, () => client.Protected.UserOnly.GetAsync(Key(key)));

var verified = await client.Keys.Verify.PostAsync(new VerifyKeyRequest { Key = key }, Bearer(accessToken));
Expect(verified is { Valid: true, Code: "VALID" }, "verify");

var refreshed = await client.Auth.Refresh.PostAsync(new RefreshRequest { RefreshToken = signup.RefreshToken })
    ?? throw new InvalidOperationException("refresh: no body");
Expect((await client.Keys[keyId].DeleteAsync(Bearer(refreshed.AccessToken!)))!.Message == "API key revoked", "revoke");
await client.Auth.Logout.PostAsync(Bearer(refreshed.AccessToken!));
await ExpectProblemAsync(401, () => client.Auth.Me.GetAsync(Bearer(refreshed.AccessToken!)));

Console.WriteLine("kiota flow: ok");

void ExpectCaller(ProtectedResponse? response, Caller_type type, Guid? expectedKey, string what) =>
    Expect(response?.User is { } caller && caller.Type == type && caller.UserId == userId && caller.KeyId == expectedKey
        && response.AccessType?.ToString() == type.ToString(), what);

static async Task ExpectProblemAsync(int status, Func<Task> call)
{
    try
    {
        await call();
    }
    catch (ProblemDetails problem) when (problem.Status == status && problem.ResponseStatusCode == status && problem.Title is not null)
    {
        return;
    }
    throw new InvalidOperationException($"expected a typed {status} problem");
}

static void Expect(bool condition, string what)
{
    if (!condition)
        throw new InvalidOperationException($"flow failed: {what}");
}
