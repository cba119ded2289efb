namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// Two nodes of one deployment: app hosts on one database, with the same settings, each started
/// and listening for the other's revocation notices. Disposing stops both and drops the database.
/// </summary>
public sealed class TwoNodes(params (string Name, string Value)[] settings) : IAsyncLifetime, IAsyncDisposable
{
    public AuthKeysApiFactory A { get; } = Node(null, settings, listenerProxy: false);

    public AuthKeysApiFactory B { get; private set; } = null!;

    /// <summary>Puts a proxy a test can cut between node B's revocation listener and PostgreSQL.</summary>
    public bool ListenerProxyOnB { get; init; }

    public static async Task<TwoNodes> StartAsync(params (string Name, string Value)[] settings)
    {
        var nodes = new TwoNodes(settings);
        await nodes.StartAsync();
        return nodes;
    }

    public async Task StartAsync()
    {
        await A.StartAsync();
        B = Node(A, settings, ListenerProxyOnB);
        await B.StartAsync();
        await A.UntilListeningAsync();
        await B.UntilListeningAsync();
    }

    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (B is not null)
            await B.DisposeAsync();
        await A.DisposeAsync();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    private static AuthKeysApiFactory Node(AuthKeysApiFactory? sameDatabaseAs, (string Name, string Value)[] settings, bool listenerProxy)
    {
        var node = new AuthKeysApiFactory { SameDatabaseAs = sameDatabaseAs, UseListenerProxy = listenerProxy };
        foreach (var (name, value) in settings)
            node.Settings[name] = value;
        return node;
    }
}
