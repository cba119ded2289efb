using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Validation;
using AuthKeys.Api.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Accounts.Sessions;

public static class SessionsExtensions
{
    /// <summary>Sessions and their refresh tokens, access-token issuing, and the bearer schemes that check them.</summary>
    public static IServiceCollection AddAuthKeysSessions(this IServiceCollection services)
    {
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<SessionStateCache>();
        services.AddSingleton<IRevocationSubscriber>(sp => sp.GetRequiredService<SessionStateCache>());
        services.AddSingleton<ValidatedTokenCache>();
        services.AddSingleton<RefreshGraceCache>();
        services.AddScoped<SessionService>();
        services.AddScoped<SessionCredentials>();
        services.AddRequestValidator<RefreshRequest, RefreshRequestValidator>();
        services.AddAuthKeysSchemes().AddJwtBearer(AuthSchemes.Jwt).AddJwtBearer(AuthSchemes.ServiceToken).AddJwtBearer(AuthSchemes.AnyBearer);
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearer>();
        return services;
    }
}
