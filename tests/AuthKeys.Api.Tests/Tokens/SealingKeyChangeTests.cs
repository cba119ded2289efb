using System.Net;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Tokens;

/// <summary>A signing key sealed under a key the deployment no longer has is replaced, not a dead end.</summary>
public sealed class SealingKeyChangeTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory _before = new() { Settings = { ["ENCRYPTION_KEY"] = "the-first-encryption-key-long-enough-0123456789" } };
    private AuthKeysApiFactory _after = null!;

    public async Task InitializeAsync()
    {
        await _before.StartAsync();
        _after = new AuthKeysApiFactory { SameDatabaseAs = _before, Settings = { ["ENCRYPTION_KEY"] = "another-encryption-key-also-long-enough-987654" } };
    }

    public async Task DisposeAsync()
    {
        await _after.DisposeAsync();
        await _before.DisposeAsync();
    }

    [Fact]
    public async Task ANodeThatCannotOpenTheSigningKeySignsWithANewOneAndStillVerifiesTheOld()
    {
        var earlier = await _before.CreateClient().SignupAsync();
        await _after.StartAsync();
        var client = _after.CreateClient();

        var later = await client.SignupAsync();
        Assert.NotEqual(Jwts.Header(earlier.AccessToken).GetProperty("kid").GetString(), Jwts.Header(later.AccessToken).GetProperty("kid").GetString());
        // Only the private part was sealed: the old key's tokens still verify until they expire.
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync(Routes.UserOnly, earlier.AccessToken)).StatusCode);
        Assert.Contains(_after.Logs.Entries, e => e.Message.Contains("does not open under the current ENCRYPTION_KEY", StringComparison.Ordinal));
    }
}
