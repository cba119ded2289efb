using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Nodes;

/// <summary>A password reset through one node ends the account's sessions on the other at once.</summary>
public sealed class ResetOnTwoNodesTests : IAsyncLifetime
{
    private MailCatcher _mail = null!;
    private TwoNodes _nodes = null!;

    public async Task InitializeAsync()
    {
        _mail = await MailCatcher.StartAsync();
        // Cached session state is trusted for an hour here: only the notice can make B refuse in time.
        _nodes = await TwoNodes.StartAsync(("SMTP_URL", _mail.Url), ("REVOCATION_MAX_STALENESS_SECONDS", "3600"));
    }

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        await _mail.DisposeAsync();
    }

    [Fact]
    public async Task AResetOnNodeAEndsTheSessionsOnNodeB()
    {
        var (a, b) = (_nodes.A.CreateClient(), _nodes.B.CreateClient());
        var account = await a.SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode); // cached on B now

        await a.PostAsJsonAsync(Routes.ForgotPassword, new { email = account.Email });
        var token = MailCatcher.TokenIn((await _mail.UntilReceivedAsync(account.Email, 2)).Single(m => m.Subject == "Reset your password"));
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsJsonAsync(Routes.ResetPassword, new { token, newPassword = "Violet-Harbour-77" })).StatusCode);

        await Poll.UntilAsync(async () => (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "node B refuses the session ended on node A");
    }
}
