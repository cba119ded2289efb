using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.Secrets;

/// <summary>ENCRYPTION_KEY rotated with ENCRYPTION_KEY_PREVIOUS: nothing sealed under the old key is lost.</summary>
public sealed class EncryptionKeyRotationTests
{
    private const string OldKey = "old-encryption-key-0123456789abcdef-0123456789";
    private const string NewKey = "new-encryption-key-0123456789abcdef-0123456789";

    [Fact]
    public async Task SecretsSealedUnderTheOldKeyAreReadAndResealedUnderTheNewOne()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var before = Node(null, ("ENCRYPTION_KEY", OldKey));
        await before.StartAsync();
        var client = before.CreateClient();
        var account = await client.SignupAsync();
        var (_, webhookSecret) = await client.CreateWebhookAsync(account.AccessToken, receiver.Url, "key.created");
        var app = await client.EnableMfaAsync(account, TimeProvider.System);
        await before.StopServiceAsync();

        // The rotation: the new key, with the old one beside it until every node has resealed.
        await using (var rotating = Node(before, ("ENCRYPTION_KEY", NewKey), ("ENCRYPTION_KEY_PREVIOUS", OldKey)))
        {
            await rotating.StartAsync();
            await Poll.UntilAsync(() => Task.FromResult(Resealed(rotating, "webhooks.sealed_secret") && Resealed(rotating, "users.totp_secret")),
                TimeSpan.FromSeconds(15), "the sealed values resealed");
            await rotating.StopServiceAsync();
        }

        // The old key gone: what was resealed opens under the new one alone.
        await using var after = Node(before, ("ENCRYPTION_KEY", NewKey));
        await after.StartAsync();
        var afterClient = after.CreateClient();
        await afterClient.CreateKeyAsync(account.AccessToken);
        await receiver.UntilReceivedAsync(1);
        receiver.Received.Single().Verify(webhookSecret);
        await afterClient.LoginWithMfaAsync(account.Email, app.CodeAt(DateTimeOffset.UtcNow.AddSeconds(SecondFactors.StepSeconds)));
    }

    [Fact]
    public async Task WithoutThePreviousKeyTheOldSealsDoNotOpen()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var before = Node(null, ("ENCRYPTION_KEY", OldKey));
        await before.StartAsync();
        var client = before.CreateClient();
        var account = await client.SignupAsync();
        var (webhookId, _) = await client.CreateWebhookAsync(account.AccessToken, receiver.Url, "key.created");
        await before.StopServiceAsync();

        await using var after = Node(before, ("ENCRYPTION_KEY", NewKey));
        await after.StartAsync();
        var afterClient = after.CreateClient();
        await afterClient.CreateKeyAsync(account.AccessToken);
        await Poll.UntilAsync(async () => (await afterClient.DeliveriesAsync(account.AccessToken, webhookId)) is [var d] && d.GetProperty("attempts").GetInt32() > 0,
            TimeSpan.FromSeconds(15), "a delivery attempt");
        Assert.Empty(receiver.Received); // nothing signed with a secret it could not read
    }

    private static AuthKeysApiFactory Node(AuthKeysApiFactory? sameDatabaseAs, params (string Name, string Value)[] settings)
    {
        var node = new AuthKeysApiFactory { SameDatabaseAs = sameDatabaseAs, Settings = { ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true" } };
        foreach (var (name, value) in settings)
            node.Settings[name] = value;
        return node;
    }

    private static bool Resealed(AuthKeysApiFactory node, string what) =>
        node.Logs.Entries.Any(e => e.Message == $"Resealed 1 {what} under the current ENCRYPTION_KEY");
}
