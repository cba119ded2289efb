using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AuthKeys.Api.Tests.Testing;
using Npgsql;

namespace AuthKeys.Api.Tests.Security;

/// <summary>
/// Thousands of random and mutated requests with a fixed seed: whatever arrives, the service
/// answers below 500 with problem details, and the database stays consistent.
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    private const int Seed = 20261128;
    private const int Cases = 3000;

    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("POST", Routes.Signup), ("POST", Routes.Login), ("POST", Routes.Refresh), ("POST", Routes.Logout), ("POST", Routes.LogoutAll),
        ("POST", Routes.CreateKey), ("GET", Routes.Keys), ("DELETE", Routes.Keys), ("GET", Routes.UserOnly), ("GET", Routes.ServiceOnly),
        ("GET", Routes.Flexible), ("GET", Routes.Health), ("GET", Routes.Ready), ("GET", Routes.OpenApiDocument),
        ("GET", Routes.Me), ("PATCH", Routes.Me), ("POST", Routes.ChangePassword), ("GET", Routes.Sessions), ("DELETE", Routes.Sessions),
        ("POST", Routes.DeleteAccount), ("GET", Routes.Scoped), ("POST", "/keys/{id}/roll"), ("PATCH", "/keys/{id}"), ("POST", "/keys/verify"),
        ("POST", Routes.MfaEnroll), ("POST", Routes.MfaConfirm), ("POST", Routes.MfaRecoveryCodes), ("POST", Routes.MfaDisable), ("POST", Routes.LoginWithCode),
        ("GET", "/audit"), ("POST", "/webhooks"), ("GET", "/webhooks"), ("DELETE", "/webhooks/{id}"), ("GET", "/webhooks/{id}/deliveries"),
    ];

    private static readonly string[] Paths = [.. Endpoints.Select(e => e.Path).Distinct()];

    private static readonly HttpMethod[] Methods =
        [HttpMethod.Get, HttpMethod.Post, HttpMethod.Post, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Options];

    private static readonly string[] Nasty =
    [
        "", " ", "null", "' OR 1=1 --", "Robert'); DROP TABLE users;--", "\u0000", "\u0007\u001b[31m", "\ud800", "🙂", "名前",
        "%00", "../../etc/passwd", "<script>alert(1)</script>", "${jndi:ldap://x}", new string('a', 300), "-1", "1e309", "NaN",
    ];

    private readonly AuthKeysApiFactory _api = new() { Settings = { ["LOGIN_MAX_FAILURES"] = "1000000" } };
    private readonly Random _random = new(Seed);
    private HttpClient _client = null!;
    private Account _account = null!;
    private CreatedKey _key = null!;

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _client = _api.CreateClient();
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    [Fact]
    public async Task RandomAndMutatedRequestsNeverGetA5xxAndLeaveTheDatabaseConsistent()
    {
        var contract = await OpenApiContract.LoadAsync(_client);
        var statuses = new Dictionary<int, int>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Cases && clock.Elapsed < TimeSpan.FromSeconds(90); i++)
        {
            if (i % 250 == 0)
                await RefreshCredentialsAsync();
            using var request = NextRequest();
            var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
            var description = $"case {i}: {request.Method} {request.RequestUri} {request.Content?.Headers.ContentType} {sent[..Math.Min(sent.Length, 300)]}";
            using var response = await _client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;

            Assert.True(status < 500, $"{description} answered {status}: {await response.Content.ReadAsStringAsync()}");
            if (status >= 400)
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{description} answered {status} without problem details");
            // As a contract-validating proxy would: documented operations answer only what they declare.
            if (contract.Check(request, response) is { } violation)
                Assert.Fail($"{description}: {violation}");
        }

        // The fuzz reached real work, not only rejections.
        Assert.True(statuses.Where(s => s.Key < 300).Sum(s => s.Value) > 100, string.Join(", ", statuses.OrderBy(s => s.Key)));
        Assert.True(statuses.Count(s => s.Key >= 400) >= 5, string.Join(", ", statuses.OrderBy(s => s.Key)));
        await AssertDatabaseIsConsistentAsync();
    }

    private async Task RefreshCredentialsAsync()
    {
        _account = await _client.SignupAsync(ApiClientExtensions.NewEmail("fuzz"));
        _key = await _client.CreateKeyAsync(_account.AccessToken);
    }

    private HttpRequestMessage NextRequest()
    {
        // Mostly the endpoint's own method, so requests get past routing into the handlers.
        var endpoint = Pick(Endpoints);
        var method = _random.Next(4) == 0 ? Pick(Methods) : new HttpMethod(endpoint.Method);
        var path = _random.Next(3) == 0 ? NextPath() : endpoint.Path;
        if (endpoint.Method == "DELETE" && path == Routes.Keys)
            path = _random.Next(2) == 0 ? Routes.Key(_key.Id) : $"/keys/{PathSegment()}";
        if (path is "/keys/{id}/roll" or "/keys/{id}")
            path = path.Replace("{id}", _random.Next(2) == 0 ? _key.Id.ToString() : PathSegment(), StringComparison.Ordinal);
        if (endpoint.Method == "DELETE" && path == Routes.Sessions)
            path = _random.Next(2) == 0 ? Routes.Session(Jwts.Payload(_account.AccessToken).GetProperty("sid").GetString()!) : Routes.Session(PathSegment());
        var request = new HttpRequestMessage(method, path);
        AddCredentials(request);
        if (method != HttpMethod.Get && method != HttpMethod.Options && _random.Next(10) > 0)
            request.Content = NextBody();
        return request;
    }

    private string NextPath() => _random.Next(12) switch
    {
        0 => $"/keys/{(_random.Next(2) == 0 ? Guid.NewGuid().ToString() : PathSegment())}",
        1 => $"{Pick(Paths)}/{PathSegment()}",
        2 => $"/{PathSegment()}",
        3 => Pick(Paths).ToUpperInvariant(),
        4 => $"{Pick(Paths)}?{Uri.EscapeDataString(Pick(Nasty))}={Uri.EscapeDataString(Pick(Nasty))}",
        5 => $"/keys/{_key.Id}",
        _ => Pick(Paths),
    };

    /// <summary>A NUL in the path is refused by the test transport itself (Kestrel answers 400), so leave it out.</summary>
    private string PathSegment() => Uri.EscapeDataString(Pick(Nasty).Replace("\u0000", "", StringComparison.Ordinal));

    private void AddCredentials(HttpRequestMessage request)
    {
        switch (_random.Next(8))
        {
            case 0: request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _account.AccessToken); break;
            case 1: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Flip(_account.AccessToken)); break;
            case 2: request.Headers.TryAddWithoutValidation("Authorization", Pick(["Bearer", "Basic dXNlcjpwYXNz", "Bearer " + _account.RefreshToken, "Bearer a.b.c", "Bearer " + new string('x', 9000)])); break;
            case 3: request.Headers.Add("x-api-key", _key.Key); break;
            case 4: request.Headers.TryAddWithoutValidation("x-api-key", Flip(_key.Key)); break;
            case 5: request.Headers.TryAddWithoutValidation("x-api-key", [Pick(Nasty), _key.Key]); break;
            case 6:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _account.AccessToken);
                request.Headers.TryAddWithoutValidation("x-api-key", Flip(_key.Key));
                break;
        }
    }

    private StringContent NextBody()
    {
        var json = _random.Next(14) switch
        {
            0 => Truncate(ValidBody()),
            1 => RandomText(_random.Next(1, 200)),
            2 => new string('[', 200) + new string(']', 200),
            3 => "{\"email\": " + Pick(["1", "[]", "{}", "true", "null", "1e400", "\"\\ud800\""]) + ", \"password\": " + Pick(["1", "[]", "{}", "null", "\"short\""]) + "}",
            4 => $"{{\"refreshToken\": \"{Flip(_account.RefreshToken)}\"}}",
            5 => $"{{\"name\": \"{Escape(Pick(Nasty))}\", \"expiresAt\": \"{Pick(["2000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "not-a-date", "2030-02-30T00:00:00Z", ""])}\"}}",
            6 => $"{{\"email\": \"{Escape(Pick(Nasty))}@example.com\", \"password\": \"{Escape(Pick(Nasty))}Password1\", \"name\": \"{Escape(Pick(Nasty))}\"}}",
            7 when _random.Next(4) == 0 => "{\"password\": \"" + new string('p', 70_000) + "\"}",
            _ => ValidBody(),
        };
        var contentType = _random.Next(10) switch
        {
            0 => "text/plain",
            1 => "application/x-www-form-urlencoded",
            2 => "application/json; charset=utf-16",
            3 => "application/xml",
            _ => "application/json",
        };
        return new StringContent(json, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));
    }

    private string ValidBody() => _random.Next(4) switch
    {
        0 => $"{{\"email\": \"{ApiClientExtensions.NewEmail("fuzz")}\", \"password\": \"Tangerine-Kite-42\", \"name\": \"Fuzz\"}}",
        1 => $"{{\"email\": \"{_account.Email}\", \"password\": \"{Pick([_account.Password, "WrongPassword1"])}\"}}",
        2 => $"{{\"refreshToken\": \"{_account.RefreshToken}\"}}",
        _ => $"{{\"name\": \"fuzz-{_random.Next(20)}\", \"expiresAt\": null}}",
    };

    private string Flip(string text)
    {
        var chars = text.ToCharArray();
        var at = _random.Next(chars.Length);
        chars[at] = chars[at] == 'a' ? 'b' : 'a';
        return new string(chars);
    }

    private string Truncate(string text) => text[.._random.Next(text.Length)];

    private string RandomText(int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => (char)_random.Next(1, 0x2FF))]);

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\u0000", "\\u0000", StringComparison.Ordinal).Replace("\u0007", "\\u0007", StringComparison.Ordinal)
            .Replace("\u001b", "\\u001b", StringComparison.Ordinal).Replace("\ud800", "\\ud800", StringComparison.Ordinal);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private async Task AssertDatabaseIsConsistentAsync()
    {
        await using var db = _api.OpenDatabase();
        async Task<long> CountAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, db);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM users WHERE password_hash IS NULL OR length(password_hash) < 50"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM api_keys k LEFT JOIN users u ON u.id = k.user_id WHERE u.id IS NULL"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM (SELECT lower(btrim(email)) FROM users GROUP BY 1 HAVING count(*) > 1) AS d"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM users WHERE email <> lower(btrim(email))"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM refresh_tokens t LEFT JOIN sessions s ON s.id = t.session_id WHERE s.id IS NULL"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM (SELECT user_id, name FROM api_keys WHERE revoked_at IS NULL GROUP BY 1, 2 HAVING count(*) > 1) AS d"));
        Assert.True(await CountAsync("SELECT count(*) FROM users") > 10);
    }
}
