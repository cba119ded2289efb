using System.Text.Json.Nodes;
using AuthKeys.Api.Infrastructure.OpenApi;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Infrastructure.Validation;

namespace AuthKeys.Api.Accounts.Mfa;

public static class MfaExtensions
{
    /// <summary>The second factor: TOTP enrolment, recovery codes and the two-step login.</summary>
    public static IServiceCollection AddAuthKeysMfa(this IServiceCollection services)
    {
        services.AddScoped<SecondFactor>();
        services.AddScoped<MfaLogins>();
        services.AddRequestValidator<EnrollTotpRequest, EnrollTotpRequestValidator>();
        services.AddRequestValidator<MfaCodeRequest, MfaCodeRequestValidator>();
        services.AddRequestValidator<DisableMfaRequest, DisableMfaRequestValidator>();
        services.AddRequestValidator<MfaLoginRequest, MfaLoginRequestValidator>();
        services.AddScoped<ISealedValues, SealedTotpSecrets>();
        services.AddScoped<ISealedValues, SealedPendingTotpSecrets>();
        services.AddOpenApiExample<EnrollTotpRequest>(() => new JsonObject { ["password"] = "Tangerine-Kite-42" });
        services.AddOpenApiExample<MfaCodeRequest>(() => new JsonObject { ["code"] = "492039" });
        services.AddOpenApiExample<DisableMfaRequest>(() => new JsonObject { ["password"] = "Tangerine-Kite-42", ["code"] = "492039" });
        services.AddOpenApiExample<MfaLoginRequest>(() => new JsonObject { ["mfaToken"] = "mfa_q3Xn0cXh1cQ2oVdJ0b1gJm0mVbW0tq1KZl9p0Gq0s8E", ["code"] = "492039" });
        return services;
    }
}
