using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.OpenApi;
using AuthKeys.Api.Infrastructure.Validation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Accounts.Email;

public static class EmailExtensions
{
    /// <summary>Verification, password reset and address change, their pages, and the account's mail.</summary>
    public static IServiceCollection AddAuthKeysAccountEmail(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<EmailOptions>((options, env, _) => EmailOptions.Bind(options, env));
        services.AddScoped<AccountTokens>();
        services.AddScoped<AccountMail>();
        services.AddScoped<EmailFlows>();
        services.AddRequestValidator<VerifyEmailRequest, VerifyEmailRequestValidator>();
        services.AddRequestValidator<ForgotPasswordRequest, ForgotPasswordRequestValidator>();
        services.AddRequestValidator<ResetPasswordRequest, ResetPasswordRequestValidator>();
        services.AddRequestValidator<ChangeEmailRequest, ChangeEmailRequestValidator>();
        services.AddSingleton<ResetRequests>();
        services.AddHostedService(sp => sp.GetRequiredService<ResetRequests>());
        services.AddSingleton<IConfigureOptions<MvcOptions>, VerifiedEmailFilter.Setup>();
        services.AddOpenApiOperationFilter<VerifiedEmailOperationFilter>();
        return services;
    }
}
