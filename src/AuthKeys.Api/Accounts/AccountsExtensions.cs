using System.Text.Json.Nodes;
using AuthKeys.Api.Accounts.Email;
using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.OpenApi;
using AuthKeys.Api.Infrastructure.Validation;

namespace AuthKeys.Api.Accounts;

public static class AccountsExtensions
{
    /// <summary>Signup, login, your account and its sessions; password hashing and the login lockout.</summary>
    public static IServiceCollection AddAuthKeysAccounts(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<AuthOptions>((options, env, _) => AuthOptions.Bind(options, env));
        services.AddEnvironmentOptions<LockoutOptions>((options, env, _) => LockoutOptions.Bind(options, env));
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<CommonPasswords>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<LoginLockout>();
        services.AddRequestValidator<SignupRequest, SignupRequestValidator>();
        services.AddRequestValidator<LoginRequest, LoginRequestValidator>();
        services.AddRequestValidator<UpdateAccountRequest, UpdateAccountRequestValidator>();
        services.AddRequestValidator<ChangePasswordRequest, ChangePasswordRequestValidator>();
        services.AddRequestValidator<DeleteAccountRequest, DeleteAccountRequestValidator>();
        services.AddAuthKeysSessions();
        services.AddAuthKeysAccountEmail();
        services.AddAuthKeysMfa();

        services.AddOpenApiExample<SignupRequest>(() => new JsonObject { ["email"] = "jane@example.com", ["password"] = "Tangerine-Kite-42", ["name"] = "Jane Doe" });
        services.AddOpenApiExample<LoginRequest>(() => new JsonObject { ["email"] = "jane@example.com", ["password"] = "Tangerine-Kite-42" });
        services.AddOpenApiExample<RefreshRequest>(() => new JsonObject { ["refreshToken"] = "rt_SM1IreSkNp0fhpwEqDRLIc7kW17Pan4Mykp0nOMRSuY" });
        return services;
    }
}
