namespace AuthKeys.Client;

/// <summary>Where AuthKeys is and which credential to send; see <see cref="AuthKeysClientServiceCollectionExtensions.AddAuthKeysClient"/>.</summary>
public sealed class AuthKeysClientOptions
{
    /// <summary>The service's root, such as <c>https://auth.example.com/</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>An API key (<c>sk_…</c>), sent as <c>x-api-key</c> on every request: how a service calls.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The user's current access token, asked for on every request and sent as a bearer token:
    /// how an app acting for a signed-in user calls. Null or empty sends none.
    /// </summary>
    public Func<IServiceProvider, CancellationToken, ValueTask<string?>>? AccessToken { get; set; }
}
