using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using AuthKeys.Api.Webhooks;

namespace AuthKeys.Api.Tests.Webhooks;

/// <summary>Registration on a node with the production default: https on public addresses only.</summary>
public sealed class WebhookRegistrationTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    // A public address that is never contacted: these webhooks subscribe only to key.expiring, which nothing here triggers.
    private const string PublicTarget = "https://93.184.215.14/hooks/authkeys";
    private static readonly string[] ExpiringOnly = ["key.expiring"];
    private static readonly string[] ExpiringAndRevoked = ["key.expiring", "key.revoked"];

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task TheSecretIsShownOnceAndTheWebhookCanBeListedAndDeleted()
    {
        var account = await _client.SignupAsync();
        var response = await _client.SendWithTokenAsync(HttpMethod.Post, WebhookReads.Webhooks, account.AccessToken, new { url = PublicTarget, events = ExpiringAndRevoked });
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/webhooks/{id}", response.Headers.Location?.OriginalString);
        Assert.StartsWith("whsec_", created.GetProperty("secret").GetString());
        Assert.Equal(32, Convert.FromBase64String(created.GetProperty("secret").GetString()!["whsec_".Length..]).Length);

        var listed = (await (await _client.GetWithTokenAsync(WebhookReads.Webhooks, account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single();
        Assert.Equal(id, listed.GetProperty("id").GetGuid());
        Assert.Equal(PublicTarget, listed.GetProperty("url").GetString());
        Assert.Equal(["key.expiring", "key.revoked"], listed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.Empty(await _client.DeliveriesAsync(account.AccessToken, id));

        // Another account sees nothing of it.
        var stranger = await _client.SignupAsync();
        await (await _client.SendWithTokenAsync(HttpMethod.Delete, WebhookReads.Webhook(id), stranger.AccessToken)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetWithTokenAsync(WebhookReads.Deliveries(id), stranger.AccessToken)).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await _client.GetWithTokenAsync(WebhookReads.Webhooks, stranger.AccessToken)).ReadJsonAsync(HttpStatusCode.OK)).EnumerateArray());

        await (await _client.SendWithTokenAsync(HttpMethod.Delete, WebhookReads.Webhook(id), account.AccessToken)).ReadJsonAsync(HttpStatusCode.OK);
        await (await _client.SendWithTokenAsync(HttpMethod.Delete, WebhookReads.Webhook(id), account.AccessToken)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetWithTokenAsync(WebhookReads.Deliveries(id), account.AccessToken)).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheSecretIsStoredEncryptedAndBoundToItsWebhook()
    {
        var account = await _client.SignupAsync();
        var (id, secret) = await _client.CreateWebhookAsync(account.AccessToken, PublicTarget, "key.expiring");
        var (other, _) = await _client.CreateWebhookAsync(account.AccessToken, PublicTarget, "key.expiring");
        await using var db = api.OpenDatabase();
        var stored = (await db.ReadColumnAsync($"SELECT encode(sealed_secret, 'base64') FROM webhooks WHERE id = '{id}'")).Single();
        var sealedSecret = Convert.FromBase64String(stored);

        Assert.DoesNotContain(secret["whsec_".Length..], System.Text.Encoding.Latin1.GetString(sealedSecret), StringComparison.Ordinal);
        await api.WithServicesAsync<IServiceProvider>(services =>
        {
            var secrets = (WebhookSecrets)services.GetService(typeof(WebhookSecrets))!;
            Assert.Equal(secret, secrets.Open(id, sealedSecret));
            Assert.Null(secrets.Open(other, sealedSecret)); // copied to another row, it does not open
            return Task.CompletedTask;
        });
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"url\":\"https://example.com/hook\"}")]
    [InlineData("{\"url\":\"https://example.com/hook\",\"events\":null}")]
    [InlineData("{\"url\":\"https://example.com/hook\",\"events\":[null]}")]
    public async Task AMissingOrNullEventListIsAFieldErrorNotAServerError(string body)
    {
        var account = await _client.SignupAsync();
        var response = await _client.SendRawWithTokenAsync(HttpMethod.Post, WebhookReads.Webhooks, account.AccessToken, body);
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("events", out _));
    }

    public static TheoryData<string> RefusedTargets() =>
    [
        "http://93.184.215.14/hooks",            // not https
        "ftp://93.184.215.14/hooks",
        "/relative/hooks",
        "https://user:pass@93.184.215.14/hooks", // credentials in the URL
        "https://127.0.0.1/hooks",               // loopback
        "https://127.8.9.10/hooks",
        "https://localhost/hooks",                // a name that resolves to loopback
        "https://[::1]/hooks",
        "https://10.1.2.3/hooks",                 // private
        "https://172.16.0.1/hooks",
        "https://172.31.255.254/hooks",
        "https://192.168.1.1/hooks",
        "https://100.64.0.1/hooks",               // shared (carrier-grade NAT)
        "https://169.254.169.254/latest/meta-data", // link-local: cloud metadata
        "https://[fe80::1]/hooks",                // IPv6 link-local
        "https://[fc00::1]/hooks",                // unique-local
        "https://[fd00:ec2::254]/hooks",          // AWS metadata over IPv6 (unique-local)
        "https://[::ffff:127.0.0.1]/hooks",       // IPv4-mapped loopback
        "https://[::ffff:169.254.169.254]/hooks", // IPv4-mapped metadata
        "https://[::ffff:10.0.0.1]/hooks",        // IPv4-mapped private
        "https://[64:ff9b::a9fe:a9fe]/hooks",     // NAT64 of 169.254.169.254
        "https://[2002:a9fe:a9fe::1]/hooks",      // 6to4 of 169.254.169.254
        "https://0.0.0.0/hooks",
        "https://[::]/hooks",
        "https://224.0.0.1/hooks",                // multicast
        "https://2130706433/hooks",               // 127.0.0.1 written as one number
        "https://0x7f.1/hooks",                   // and in hex
    ];

    [Theory]
    [MemberData(nameof(RefusedTargets))]
    public async Task NonPublicAndNonHttpsTargetsAreRefused(string url)
    {
        var account = await _client.SignupAsync();
        var problem = await (await _client.SendWithTokenAsync(HttpMethod.Post, WebhookReads.Webhooks, account.AccessToken, new { url, events = ExpiringOnly }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), problem.ToString());
    }

    [Theory]
    [InlineData("93.184.215.14", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void AddressesArePublicOnlyWhenGloballyRoutable(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookTargets.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task BadEventListsAndTooManyWebhooksAreRefused()
    {
        var account = await _client.SignupAsync();
        foreach (var events in (object[])[Array.Empty<string>(), new[] { "key.nope" }, new[] { "key.revoked", "key.revoked" }, new[] { "user.signup" }])
        {
            var problem = await (await _client.SendWithTokenAsync(HttpMethod.Post, WebhookReads.Webhooks, account.AccessToken, new { url = PublicTarget, events }))
                .ReadProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("events", out _), problem.ToString());
        }

        for (var i = 0; i < Webhook.MaxPerUser; i++)
            await _client.CreateWebhookAsync(account.AccessToken, $"{PublicTarget}/{i}", "key.expiring");
        await (await _client.SendWithTokenAsync(HttpMethod.Post, WebhookReads.Webhooks, account.AccessToken, new { url = PublicTarget, events = ExpiringOnly }))
            .ReadProblemAsync(HttpStatusCode.Conflict);
        await (await _client.PostAsJsonAsync(WebhookReads.Webhooks, new { url = PublicTarget, events = ExpiringOnly })).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DeletingTheAccountErasesItsWebhooksAndAuditLog()
    {
        var account = await _client.SignupAsync();
        await _client.CreateWebhookAsync(account.AccessToken, PublicTarget, "key.expiring");
        Assert.Equal(HttpStatusCode.OK, (await _client.SendWithTokenAsync(HttpMethod.Post, Routes.DeleteAccount, account.AccessToken, new { password = account.Password })).StatusCode);

        await using var db = api.OpenDatabase();
        Assert.Equal(["0"], await db.ReadColumnAsync($"SELECT ((SELECT count(*) FROM webhooks WHERE user_id = '{account.UserId}') + (SELECT count(*) FROM audit_events WHERE user_id = '{account.UserId}'))::text"));
    }
}
