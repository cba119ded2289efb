using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AuthKeys.Client;

public static class AuthKeysClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAuthKeysClient"/> as a typed HttpClient (IHttpClientFactory) that
    /// sends the configured credential. Returns the client's builder, for handlers, resilience
    /// or a primary handler of your own.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddAuthKeysClient(o =>
    /// {
    ///     o.BaseAddress = new Uri("https://auth.example.com/");
    ///     o.ApiKey = configuration["AuthKeys:ApiKey"];
    /// });
    /// // then inject IAuthKeysClient: await client.GetServiceOnlyAsync();
    /// </code>
    /// </example>
    public static IHttpClientBuilder AddAuthKeysClient(this IServiceCollection services, Action<AuthKeysClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AuthKeysClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "AuthKeysClientOptions.BaseAddress must be an absolute URI.")
            .ValidateOnStart();
        services.AddTransient<AuthKeysCredentialsHandler>();
        return services.AddHttpClient<IAuthKeysClient, AuthKeysClient>((provider, http) =>
            {
                var baseAddress = provider.GetRequiredService<IOptions<AuthKeysClientOptions>>().Value.BaseAddress!;
                // Relative paths resolve under the base address only when it ends in a slash.
                http.BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
            })
            .AddHttpMessageHandler<AuthKeysCredentialsHandler>();
    }
}
