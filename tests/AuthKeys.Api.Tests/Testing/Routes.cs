namespace AuthKeys.Api.Tests.Testing;

public static class Routes
{
    public const string Signup = "/auth/signup";
    public const string Login = "/auth/login";
    public const string Refresh = "/auth/refresh";
    public const string Logout = "/auth/logout";
    public const string LogoutAll = "/auth/logout-all";
    public const string Me = "/auth/me";
    public const string ChangePassword = "/auth/change-password";
    public const string Sessions = "/auth/sessions";
    public const string DeleteAccount = "/auth/delete-account";
    public const string SendVerification = "/auth/verify-email/send";
    public const string VerifyEmail = "/auth/verify-email";
    public const string ForgotPassword = "/auth/forgot-password";
    public const string ResetPassword = "/auth/reset-password";
    public const string ChangeEmail = "/auth/change-email";
    public const string LoginWithCode = "/auth/login/mfa";
    public const string MfaEnroll = "/auth/mfa/totp/enroll";
    public const string MfaConfirm = "/auth/mfa/totp/confirm";
    public const string MfaRecoveryCodes = "/auth/mfa/recovery-codes";
    public const string MfaDisable = "/auth/mfa/disable";
    public const string VerifyPage = "/account/verify-email";
    public const string ResetPage = "/account/reset-password";
    public const string CreateKey = "/keys/create";
    public const string Keys = "/keys";
    public const string UserOnly = "/protected/user-only";
    public const string ServiceOnly = "/protected/service-only";
    public const string Flexible = "/protected/flexible";
    public const string Scoped = "/protected/scoped";
    public const string Health = "/health";
    public const string Ready = "/health/ready";
    public const string OpenApiDocument = "/openapi/v1.json";
    public const string SwaggerUi = "/api/docs";
    public const string OAuthToken = "/oauth/token";
    public const string OAuthIntrospect = "/oauth/introspect";
    public const string OAuthRevoke = "/oauth/revoke";
    public const string OpenIdConfiguration = "/.well-known/openid-configuration";
    public const string AuthorizationServerMetadata = "/.well-known/oauth-authorization-server";
    public const string Jwks = "/.well-known/jwks.json";

    public static string Key(Guid id) => $"/keys/{id}";

    public static string Session(object id) => $"/auth/sessions/{id}";
}
