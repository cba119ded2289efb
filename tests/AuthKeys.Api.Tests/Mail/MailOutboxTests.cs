using System.Net;
using AuthKeys.Api.Mail;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AuthKeys.Api.Tests.Mail;

/// <summary>The mail outbox: nothing lost to an SMTP outage, a crash mid-send, or a missing server.</summary>
public sealed class MailOutboxTests
{
    [Fact]
    public async Task WithoutAServerMailWaitsTheNodeStaysReadyAndSaysSo()
    {
        await using var api = new AuthKeysApiFactory();
        await api.StartAsync();
        var client = api.CreateClient();
        var account = await client.SignupAsync();

        var ready = await (await client.GetAsync(Routes.Ready)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("not configured", ready.GetProperty("mail").GetString());
        Assert.Contains(api.Logs.Entries, e => e.Message.Contains("SMTP_URL is not set", StringComparison.Ordinal));
        Assert.Equal(0, await api.Services.GetRequiredService<MailSender>().SendDueAsync(CancellationToken.None));
        await using var db = api.OpenDatabase();
        Assert.Equal(["pending"], await db.ReadColumnAsync($"SELECT status FROM mail_messages WHERE user_id = '{account.UserId}'"));
    }

    [Fact]
    public async Task AMessageRefusedByTheServerIsRetriedWithBackoffAndItsBodyErasedOnceSent()
    {
        await using var mail = await MailCatcher.StartAsync();
        await using var api = new AuthKeysApiFactory { Settings = { ["SMTP_URL"] = mail.Url } };
        mail.Refusing = true;
        await api.StartAsync();
        var client = api.CreateClient();
        var account = await client.SignupAsync();
        await using (var db = api.OpenDatabase())
        {
            await Poll.UntilAsync(async () => await db.ReadColumnAsync($"SELECT attempts::text FROM mail_messages WHERE user_id = '{account.UserId}'") is ["1"],
                TimeSpan.FromSeconds(15), "a refused attempt is recorded");
            var row = await db.ReadColumnAsync($"SELECT status || ' ' || (next_attempt_at > now())::text || ' ' || (sealed_body IS NOT NULL)::text || ' ' || last_error FROM mail_messages WHERE user_id = '{account.UserId}'");
            Assert.StartsWith("pending true true The SMTP server refused it: 421", Assert.Single(row));
            mail.Refusing = false;
            await db.ReadColumnAsync($"UPDATE mail_messages SET next_attempt_at = now() WHERE user_id = '{account.UserId}' RETURNING id::text");
        }
        api.Services.GetRequiredService<MailSender>().Wake();
        Assert.Single(await mail.UntilReceivedAsync(account.Email));
        await using var check = api.OpenDatabase();
        await Poll.UntilAsync(async () => await check.ReadColumnAsync($"SELECT status || ' ' || (sealed_body IS NULL)::text FROM mail_messages WHERE user_id = '{account.UserId}'") is ["sent true"],
            TimeSpan.FromSeconds(15), "the message is recorded as sent, its body erased");
        var span = Enumerable.Range(1, MailSender.MaxAttempts - 1).Select(MailSender.Backoff).Aggregate(TimeSpan.Zero, (a, b) => a + b);
        Assert.True(span >= TimeSpan.FromHours(1), $"retries span {span}");
    }

    [Fact]
    public async Task AMessageInterruptedByAShutdownIsSentAfterTheRestart()
    {
        await using var mail = await MailCatcher.StartAsync();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mail.Holding = held;
        await using var first = new AuthKeysApiFactory { Settings = { ["SMTP_URL"] = mail.Url } };
        await first.StartAsync();
        var account = await first.CreateClient().SignupAsync();
        await held.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await first.StopServiceAsync(); // mid-send: the claim rolls back
        mail.Holding = null;
        await using (var db = first.OpenDatabase())
            Assert.Equal(["pending 0"], await db.ReadColumnAsync($"SELECT status || ' ' || attempts FROM mail_messages WHERE user_id = '{account.UserId}'"));

        await using var restarted = new AuthKeysApiFactory { SameDatabaseAs = first, Settings = { ["SMTP_URL"] = mail.Url } };
        await restarted.StartAsync();
        var message = Assert.Single(await mail.UntilReceivedAsync(account.Email));
        Assert.Equal("Confirm your email address", message.Subject);
    }
}
