using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.OpenApi;

/// <summary>
/// Drives every operation through its success and error paths (bad input, bad credentials,
/// conflicts, limits, a database outage) and checks each response against the document, as a
/// contract-validating proxy would: nothing the service answers may be undeclared.
/// </summary>
public sealed class OpenApiContractTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _api = new()
    {
        UseDatabaseProxy = true,
        Settings = { ["AUTH_RATE_LIMIT_PER_MINUTE"] = "40", ["APIKEY_FAILURES_PER_MINUTE"] = "5" },
    };

    private static readonly string[] BadScopes = ["Not A Scope"];
    private static readonly string[] ReaderScopes = ["demo:read"];
    private static readonly string[] ExpiringOnly = ["key.expiring"];

    private readonly HashSet<string> _observed = [];
    private readonly List<string> _violations = [];
    private OpenApiContract _contract = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
        _contract = await OpenApiContract.LoadAsync(_client);
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task EveryStatusEachOperationAnswersIsDeclaredInTheDocument()
    {
        var account = await SignupAsync();
        var key = await _client.CreateKeyAsync(account.AccessToken, "contract");

        // Signup, login, refresh: success, validation, credentials, conflicts, body limits.
        await Send(HttpMethod.Post, Routes.Signup, body: new { email = "not-an-email", password = "x" });
        await Send(HttpMethod.Post, Routes.Signup, body: new { email = account.Email, password = "Tangerine-Kite-42" });
        await Send(HttpMethod.Post, Routes.Signup, raw: "{\"email\":");
        await Send(HttpMethod.Post, Routes.Signup, raw: "email=a", mediaType: "text/plain");
        await Send(HttpMethod.Post, Routes.Signup, raw: $"{{\"password\":\"{new string('p', 70_000)}\"}}");
        await Send(HttpMethod.Post, Routes.Login, body: new { email = account.Email, password = account.Password });
        await Send(HttpMethod.Post, Routes.Login, body: new { email = account.Email, password = "WrongPassword1" });
        await Send(HttpMethod.Post, Routes.Login, body: new { email = "", password = "" });
        await Send(HttpMethod.Post, Routes.Login, raw: "[]", mediaType: "application/xml");
        await Send(HttpMethod.Post, Routes.Login, raw: $"{{\"password\":\"{new string('p', 70_000)}\"}}");
        var refreshed = await Send(HttpMethod.Post, Routes.Refresh, body: new { refreshToken = account.RefreshToken });
        await Send(HttpMethod.Post, Routes.Refresh, body: new { refreshToken = "rt_unknown" });
        await Send(HttpMethod.Post, Routes.Refresh, body: new { refreshToken = "" });
        await Send(HttpMethod.Post, Routes.Refresh, raw: "x", mediaType: "text/plain");
        await Send(HttpMethod.Post, Routes.Refresh, raw: $"{{\"refreshToken\":\"{new string('r', 70_000)}\"}}");
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);

        // Keys: create, conflict, validation, list, revoke, not found, no credentials.
        await Send(HttpMethod.Post, Routes.CreateKey, token: account.AccessToken, body: new { name = "contract" });
        await Send(HttpMethod.Post, Routes.CreateKey, token: account.AccessToken, body: new { name = "fresh" });
        await Send(HttpMethod.Post, Routes.CreateKey, token: account.AccessToken, body: new { name = "", expiresAt = "2000-01-01T00:00:00Z" });
        await Send(HttpMethod.Post, Routes.CreateKey, token: account.AccessToken, raw: "x", mediaType: "text/plain");
        await Send(HttpMethod.Post, Routes.CreateKey, token: account.AccessToken, raw: $"{{\"name\":\"{new string('n', 70_000)}\"}}");
        await Send(HttpMethod.Post, Routes.CreateKey, body: new { name = "anonymous" });
        await Send(HttpMethod.Get, Routes.Keys, token: account.AccessToken);
        await Send(HttpMethod.Get, Routes.Keys);
        await Send(HttpMethod.Get, Routes.Key(key.Id), token: account.AccessToken);
        await Send(HttpMethod.Get, Routes.Key(Guid.NewGuid()), token: account.AccessToken);
        await Send(HttpMethod.Get, "/keys/not-a-guid", token: account.AccessToken);
        await Send(HttpMethod.Post, Routes.CreateKey, token: account.AccessToken, body: new { name = "scoped", scopes = BadScopes });
        var reader = await Send(HttpMethod.Post, Routes.CreateKey, token: account.AccessToken, body: new { name = "reader", scopes = ReaderScopes, meta = new { plan = "pro" } });
        await Send(HttpMethod.Get, Routes.Scoped, apiKey: (await reader.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString());
        await Send(HttpMethod.Get, Routes.Scoped, apiKey: key.Key);
        await Send(HttpMethod.Get, Routes.Scoped, token: account.AccessToken);
        var toRoll = await _client.CreateKeyAsync(account.AccessToken, "to-roll");
        await Send(HttpMethod.Post, $"/keys/{toRoll.Id}/roll", token: account.AccessToken, body: new { gracePeriodSeconds = 60 });
        await Send(HttpMethod.Post, $"/keys/{toRoll.Id}/roll", token: account.AccessToken);
        await Send(HttpMethod.Post, $"/keys/{Guid.NewGuid()}/roll", token: account.AccessToken);
        await Send(HttpMethod.Post, $"/keys/{toRoll.Id}/roll", token: account.AccessToken, body: new { gracePeriodSeconds = -1 });
        await Send(HttpMethod.Post, $"/keys/{toRoll.Id}/roll", token: account.AccessToken, raw: "x", mediaType: "text/plain");
        await Send(HttpMethod.Post, $"/keys/{toRoll.Id}/roll");
        await Send(HttpMethod.Patch, Routes.Key(key.Id), token: account.AccessToken, body: new { meta = new { plan = "team" } });
        await Send(HttpMethod.Patch, Routes.Key(key.Id), token: account.AccessToken, body: new { name = "" });
        await Send(HttpMethod.Patch, Routes.Key(key.Id), token: account.AccessToken, body: new { name = "fresh" });
        await Send(HttpMethod.Patch, Routes.Key(Guid.NewGuid()), token: account.AccessToken, body: new { name = "x" });
        await Send(HttpMethod.Patch, Routes.Key(key.Id), body: new { name = "x" });
        await Send(HttpMethod.Post, "/keys/verify", token: account.AccessToken, body: new { key = key.Key });
        await Send(HttpMethod.Post, "/keys/verify", token: account.AccessToken, body: new { key = "nope" });
        await Send(HttpMethod.Post, "/keys/verify", token: account.AccessToken, raw: "{\"key\":42}");
        await Send(HttpMethod.Post, "/keys/verify", apiKey: key.Key, body: new { key = key.Key });
        await Send(HttpMethod.Post, "/keys/verify", body: new { key = key.Key });
        await Send(HttpMethod.Delete, Routes.Key(Guid.NewGuid()), token: account.AccessToken);
        await Send(HttpMethod.Delete, "/keys/not-a-guid", token: account.AccessToken);
        await Send(HttpMethod.Delete, Routes.Key(key.Id));
        var spare = await _client.CreateKeyAsync(account.AccessToken, "spare");
        await Send(HttpMethod.Delete, Routes.Key(spare.Id), token: account.AccessToken);

        // Audit log and webhooks (subscribed to key.expiring only: nothing here is posted anywhere).
        await Send(HttpMethod.Get, "/audit?limit=2", token: account.AccessToken);
        await Send(HttpMethod.Get, "/audit?limit=0", token: account.AccessToken);
        await Send(HttpMethod.Get, "/audit", apiKey: key.Key);
        var hooks = new List<Guid>();
        for (var i = 0; i < 11; i++)
        {
            var created = await Send(HttpMethod.Post, "/webhooks", token: account.AccessToken, body: new { url = $"https://93.184.215.14/hook/{i}", events = ExpiringOnly });
            if (created.StatusCode == HttpStatusCode.Created)
                hooks.Add((await created.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid());
        }
        await Send(HttpMethod.Post, "/webhooks", token: account.AccessToken, body: new { url = "https://127.0.0.1/hook", events = ExpiringOnly });
        await Send(HttpMethod.Post, "/webhooks", token: account.AccessToken, body: new { url = "https://93.184.215.14/hook", events = BadScopes });
        await Send(HttpMethod.Post, "/webhooks", token: account.AccessToken, raw: "x", mediaType: "text/plain");
        await Send(HttpMethod.Post, "/webhooks", body: new { url = "https://93.184.215.14/hook", events = ExpiringOnly });
        await Send(HttpMethod.Get, "/webhooks", token: account.AccessToken);
        await Send(HttpMethod.Get, "/webhooks");
        await Send(HttpMethod.Get, $"/webhooks/{hooks[0]}/deliveries", token: account.AccessToken);
        await Send(HttpMethod.Get, $"/webhooks/{Guid.NewGuid()}/deliveries", token: account.AccessToken);
        await Send(HttpMethod.Get, "/webhooks/not-a-guid/deliveries", token: account.AccessToken);
        foreach (var hook in hooks)
            await Send(HttpMethod.Delete, $"/webhooks/{hook}", token: account.AccessToken);
        await Send(HttpMethod.Delete, $"/webhooks/{hooks[0]}", token: account.AccessToken);
        await Send(HttpMethod.Delete, "/webhooks/not-a-guid", token: account.AccessToken);

        // Protected routes with each credential, none, and the wrong one.
        foreach (var route in new[] { Routes.UserOnly, Routes.ServiceOnly, Routes.Flexible })
        {
            await Send(HttpMethod.Get, route, token: account.AccessToken);
            await Send(HttpMethod.Get, route, apiKey: key.Key);
            await Send(HttpMethod.Get, route);
            await Send(HttpMethod.Get, route, token: "not.a.token");
        }
        await Send(HttpMethod.Get, Routes.Health);
        await Send(HttpMethod.Get, Routes.Ready);

        // Logout and logout-all, then their 401s.
        var second = await _client.LoginAsync(account.Email);
        await Send(HttpMethod.Post, Routes.Logout, token: second.GetProperty("accessToken").GetString());
        await Send(HttpMethod.Post, Routes.Logout, token: second.GetProperty("accessToken").GetString());
        var third = await _client.LoginAsync(account.Email);
        await Send(HttpMethod.Post, Routes.LogoutAll, token: third.GetProperty("accessToken").GetString());
        await Send(HttpMethod.Post, Routes.LogoutAll);

        // The account endpoints: success and failures, ending with the account's deletion.
        var member = await SignupAsync();
        var memberOther = Jwts.Payload((await _client.LoginAsync(member.Email)).GetProperty("accessToken").GetString()!).GetProperty("sid").GetString()!;
        await Send(HttpMethod.Get, Routes.Me, token: member.AccessToken);
        await Send(HttpMethod.Get, Routes.Me);
        await Send(HttpMethod.Patch, Routes.Me, token: member.AccessToken, body: new { name = "Renamed" });
        await Send(HttpMethod.Patch, Routes.Me, token: member.AccessToken, body: new { name = new string('n', 101) });
        await Send(HttpMethod.Patch, Routes.Me, token: member.AccessToken, raw: "x", mediaType: "text/plain");
        await Send(HttpMethod.Get, Routes.Sessions, token: member.AccessToken);
        await Send(HttpMethod.Get, Routes.Sessions);
        await Send(HttpMethod.Delete, Routes.Session(memberOther), token: member.AccessToken);
        await Send(HttpMethod.Delete, Routes.Session(memberOther), token: member.AccessToken);
        await Send(HttpMethod.Delete, Routes.Session("not-a-guid"), token: member.AccessToken);
        await Send(HttpMethod.Post, Routes.ChangePassword, token: member.AccessToken, body: new { currentPassword = "Wrong-Password-9", newPassword = "Violet-Harbour-77" });
        await Send(HttpMethod.Post, Routes.ChangePassword, token: member.AccessToken, body: new { currentPassword = member.Password, newPassword = "password1" });
        await Send(HttpMethod.Post, Routes.ChangePassword, token: member.AccessToken, body: new { currentPassword = member.Password, newPassword = "Violet-Harbour-77" });
        await Send(HttpMethod.Post, Routes.ChangePassword, body: new { currentPassword = member.Password, newPassword = "Violet-Harbour-77" });
        await Send(HttpMethod.Post, Routes.DeleteAccount, token: member.AccessToken, body: new { password = "Wrong-Password-9" });
        await Send(HttpMethod.Post, Routes.DeleteAccount, token: member.AccessToken, raw: $"{{\"password\":\"{new string('p', 70_000)}\"}}");
        await Send(HttpMethod.Post, Routes.DeleteAccount, token: member.AccessToken, body: new { password = "Violet-Harbour-77" });
        await Send(HttpMethod.Post, Routes.DeleteAccount, token: member.AccessToken, body: new { password = "Violet-Harbour-77" });

        // The database goes away: every operation that needs it answers 503.
        var other = await SignupAsync();
        var otherKey = await _client.CreateKeyAsync(other.AccessToken);
        var freshTokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.LoginAsync(other.Email)));
        _api.DatabaseProxy!.Cut();
        try
        {
            var token = freshTokens.Select(t => t.GetProperty("accessToken").GetString()!).ToArray();
            await Send(HttpMethod.Post, Routes.Signup, body: new { email = ApiClientExtensions.NewEmail(), password = "Tangerine-Kite-42" });
            await Send(HttpMethod.Post, Routes.Login, body: new { email = other.Email, password = other.Password });
            await Send(HttpMethod.Post, Routes.Refresh, body: new { refreshToken = other.RefreshToken });
            await Send(HttpMethod.Post, Routes.CreateKey, token: token[0], body: new { name = "outage" });
            await Send(HttpMethod.Get, Routes.Keys, token: token[1]);
            await Send(HttpMethod.Delete, Routes.Key(otherKey.Id), token: token[2]);
            await Send(HttpMethod.Get, Routes.UserOnly, token: token[3]);
            await Send(HttpMethod.Post, Routes.Logout, token: token[4]);
            await Send(HttpMethod.Post, Routes.LogoutAll, token: token[5]);
            await Send(HttpMethod.Get, Routes.Me, token: token[6]);
            await Send(HttpMethod.Get, Routes.Sessions, token: token[7]);
            await Send(HttpMethod.Get, Routes.ServiceOnly, apiKey: otherKey.Key);
            await Send(HttpMethod.Get, Routes.Flexible, apiKey: otherKey.Key);
            await Send(HttpMethod.Get, Routes.Ready);
            await Send(HttpMethod.Get, Routes.Health);
        }
        finally
        {
            _api.DatabaseProxy.Restore();
        }

        // Limits last: key guessing, then the per-IP auth limit.
        for (var i = 0; i < 6; i++)
            await Send(HttpMethod.Get, Routes.ServiceOnly, apiKey: $"sk_guess{i}");
        await Send(HttpMethod.Get, Routes.Flexible, apiKey: "sk_guess-flexible"); // blocked: what fails is refused
        for (var i = 0; i < 40; i++)
            await Send(HttpMethod.Post, i % 2 == 0 ? Routes.Login : Routes.Signup, body: new { email = "throttle@example.com", password = "WrongPassword1" });

        Assert.Empty(_violations);
        // The walk above really reached these paths (a walk that stopped early would prove little).
        foreach (var expected in new[]
        {
            "POST /auth/signup 409", "POST /auth/signup 413", "POST /auth/signup 415", "POST /auth/signup 429", "POST /auth/signup 503",
            "POST /auth/login 401", "POST /auth/login 429", "POST /auth/refresh 401", "POST /keys/create 409", "DELETE /keys/{id} 404",
            "GET /protected/service-only 429", "GET /protected/flexible 429", "GET /protected/user-only 503", "GET /health/ready 503",
            "POST /auth/logout 503", "GET /protected/service-only 503",
            "GET /keys/{id} 200", "GET /keys/{id} 404", "GET /protected/scoped 200", "GET /protected/scoped 403", "GET /protected/scoped 401",
            "POST /keys/{id}/roll 201", "POST /keys/{id}/roll 409", "POST /keys/{id}/roll 404", "POST /keys/{id}/roll 400",
            "POST /keys/verify 200", "POST /keys/verify 400", "POST /keys/verify 403", "POST /keys/verify 401",
            "PATCH /keys/{id} 200", "PATCH /keys/{id} 400", "PATCH /keys/{id} 404", "PATCH /keys/{id} 409",
            "GET /auth/me 200", "PATCH /auth/me 400", "DELETE /auth/sessions/{id} 200", "DELETE /auth/sessions/{id} 404",
            "POST /auth/change-password 400", "POST /auth/change-password 200", "POST /auth/delete-account 400",
            "POST /auth/delete-account 200", "POST /auth/delete-account 401", "GET /auth/me 503",
            "GET /audit 200", "GET /audit 400", "GET /audit 401", "POST /webhooks 201", "POST /webhooks 400", "POST /webhooks 409",
            "POST /webhooks 415", "POST /webhooks 401", "GET /webhooks 200", "GET /webhooks/{id}/deliveries 200",
            "GET /webhooks/{id}/deliveries 404", "GET /webhooks/{id}/deliveries 400", "DELETE /webhooks/{id} 200", "DELETE /webhooks/{id} 404",
        })
            Assert.Contains(expected, _observed);
    }

    private async Task<Account> SignupAsync()
    {
        var account = await _client.SignupAsync();
        return account;
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token = null, string? apiKey = null,
        object? body = null, string? raw = null, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new("Bearer", token);
        if (apiKey is not null)
            request.Headers.Add("x-api-key", apiKey);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        else if (raw is not null)
            request.Content = Json.Raw(raw, mediaType);
        var response = await _client.SendAsync(request);
        _observed.Add(_contract.StatusKey(request, response));
        if (_contract.Check(request, response) is { } violation)
            _violations.Add(violation);
        return response;
    }
}
