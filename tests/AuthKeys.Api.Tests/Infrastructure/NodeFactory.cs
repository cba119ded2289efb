using System.Net;

namespace AuthKeys.Api.Tests.Infrastructure;

/// <summary>Nodes of one deployment: app hosts that share a database.</summary>
public static class NodeFactory
{
    /// <summary>A node on <paramref name="sameDatabaseAs"/>'s database, or on a fresh one when null.</summary>
    public static AuthKeysApiFactory Create(AuthKeysApiFactory? sameDatabaseAs, params (string Name, string Value)[] settings)
    {
        var node = new AuthKeysApiFactory { SameDatabaseAs = sameDatabaseAs };
        foreach (var (name, value) in settings)
            node.Settings[name] = value;
        return node;
    }

    /// <summary>What the node's readiness probe says of its revocation listener.</summary>
    public static async Task<string?> ListenerStateAsync(AuthKeysApiFactory node)
    {
        var response = await node.CreateClient().GetAsync(Routes.Ready);
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        return body.GetProperty("listener").GetString();
    }

    public static Task UntilListeningAsync(AuthKeysApiFactory node) =>
        Poll.UntilAsync(async () => await ListenerStateAsync(node) == "up", TimeSpan.FromSeconds(15), "the node listens for revocation notices");
}
