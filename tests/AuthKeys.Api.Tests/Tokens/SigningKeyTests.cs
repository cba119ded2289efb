using System.Diagnostics;
using System.Net;
using AuthKeys.Api.Tests.Testing;
using AuthKeys.Api.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace AuthKeys.Api.Tests.Tokens;

/// <summary>Signing keys shared by every node: agreed on an empty table, replaced at once everywhere.</summary>
public sealed class SigningKeyTests : IAsyncLifetime
{
    private readonly TwoNodes _nodes = new();

    public Task InitializeAsync() => _nodes.StartAsync();

    public Task DisposeAsync() => _nodes.DisposeAsync().AsTask();

    [Fact]
    public async Task NodesDecidingAtOnceOnAnEmptyTableAgreeOnOneKey()
    {
        for (var round = 0; round < 5; round++)
        {
            await using (var db = _nodes.A.OpenDatabase())
                await db.ReadColumnAsync("DELETE FROM signing_keys RETURNING kid");
            await Task.WhenAll(
                _nodes.A.WithServicesAsync<SigningKeyStore>(store => store.MaintainAsync(CancellationToken.None)),
                _nodes.B.WithServicesAsync<SigningKeyStore>(store => store.MaintainAsync(CancellationToken.None)));

            await using var check = _nodes.A.OpenDatabase();
            var kid = Assert.Single(await check.ReadColumnAsync("SELECT kid FROM signing_keys"));
            await Poll.UntilAsync(() => Task.FromResult(Signer(_nodes.A) == kid && Signer(_nodes.B) == kid), TimeSpan.FromSeconds(10), "both nodes sign with the one key");
        }
    }

    [Fact]
    public async Task ATokenFromOneNodeIsAcceptedByTheOther()
    {
        var account = await _nodes.A.CreateClient().SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await _nodes.B.CreateClient().GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RotatingNowOnOneNodeEndsTheOldKeysTokensOnBoth()
    {
        var a = _nodes.A.CreateClient();
        var b = _nodes.B.CreateClient();
        var account = await a.SignupAsync();
        Assert.Equal(HttpStatusCode.OK, (await b.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).StatusCode); // cached as validated on B
        var old = Signer(_nodes.A);

        string? kid = null;
        await _nodes.A.WithServicesAsync<SigningKeyStore>(async store => kid = await store.RotateNowAsync(CancellationToken.None));
        Assert.NotEqual(old, kid);
        await Poll.UntilAsync(() => Task.FromResult(Signer(_nodes.B) == kid), TimeSpan.FromSeconds(10), "node B heard of the new key");

        foreach (var client in new[] { a, b })
            await (await client.GetWithTokenAsync(Routes.UserOnly, account.AccessToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var fresh = (await b.LoginAsync(account.Email)).GetProperty("accessToken").GetString()!;
        Assert.Equal(kid, Jwts.Header(fresh).GetProperty("kid").GetString());
        Assert.Equal(HttpStatusCode.OK, (await a.GetWithTokenAsync(Routes.UserOnly, fresh)).StatusCode);
        var published = (await (await a.GetAsync(Routes.Jwks)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("keys").EnumerateArray();
        Assert.Equal([kid], published.Select(k => k.GetProperty("kid").GetString()));
    }

    [Fact]
    public async Task TheCommandReplacesTheKeysForTheRunningNodes()
    {
        var old = Signer(_nodes.A);
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("rotate-signing-keys");
        start.ArgumentList.Add("--now");
        start.Environment["ConnectionStrings__Default"] = _nodes.A.ConnectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["JWT_SECRET"] = AuthKeysApiFactory.JwtSecret; // the sealing key the nodes use
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);

        await Poll.UntilAsync(() => Task.FromResult(Signer(_nodes.A) != old && Signer(_nodes.A) == Signer(_nodes.B)), TimeSpan.FromSeconds(10), "both nodes sign with the new key");
        Assert.Contains(Signer(_nodes.A)!, output, StringComparison.Ordinal);
    }

    private static string? Signer(AuthKeysApiFactory node) =>
        node.Services.GetRequiredService<SigningKeyRing>().CanSign ? node.Services.GetRequiredService<SigningKeyRing>().SigningCredentials.Key.KeyId : null;
}
