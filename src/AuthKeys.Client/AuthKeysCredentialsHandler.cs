using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace AuthKeys.Client;

/// <summary>Adds the configured API key or access token to each request.</summary>
internal sealed class AuthKeysCredentialsHandler(IOptions<AuthKeysClientOptions> options, IServiceProvider services) : DelegatingHandler
{
    internal const string ApiKeyHeader = "x-api-key";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!string.IsNullOrEmpty(settings.ApiKey) && !request.Headers.Contains(ApiKeyHeader))
            request.Headers.Add(ApiKeyHeader, settings.ApiKey);
        if (settings.AccessToken is { } provider && request.Headers.Authorization is null
            && await provider(services, cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
