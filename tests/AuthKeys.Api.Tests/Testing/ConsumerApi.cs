using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// Another team's API, configured with nothing but AuthKeys' address and an audience: it fetches
/// the metadata and keys through the test server and verifies tokens on its own, on the real
/// clock. <c>GET /orders</c> answers the caller's subject.
/// </summary>
public sealed class ConsumerApi : IAsyncDisposable
{
    public const string Issuer = "https://authkeys.test";
    public const string Audience = "orders-api";
    public const string Orders = "/orders";

    private readonly WebApplication _app;

    private ConsumerApi(WebApplication app)
    {
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    /// <summary>The handler's metadata, to refresh it as its 12-hour timer would.</summary>
    public IConfigurationManager<OpenIdConnectConfiguration> Metadata =>
        _app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager!;

    /// <summary>AuthKeys' settings for a consumer to trust it: the public address is the issuer.</summary>
    public static void Configure(AuthKeysApiFactory api)
    {
        api.Settings.Remove("JWT_ISSUER");
        api.Settings["PUBLIC_URL"] = Issuer;
        api.Settings["JWT_AUDIENCE"] = Audience;
    }

    public static async Task<ConsumerApi> StartAsync(AuthKeysApiFactory authKeys)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication().AddJwtBearer(o =>
        {
            o.Authority = Issuer;
            o.Audience = Audience;
            o.BackchannelHttpHandler = authKeys.Server.CreateHandler(); // how this test reaches Issuer
        });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        // The stock handler maps "sub" to the name identifier.
        app.MapGet(Orders, (HttpContext context) => context.User.FindFirst(ClaimTypes.NameIdentifier)!.Value).RequireAuthorization();
        await app.StartAsync();
        return new ConsumerApi(app);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
