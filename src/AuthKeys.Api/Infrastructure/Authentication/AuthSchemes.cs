namespace AuthKeys.Api.Infrastructure.Authentication;

/// <summary>Authentication scheme names, in one place for controllers, Swagger and tests.</summary>
public static class AuthSchemes
{
    public const string Jwt = "Bearer";
    public const string ApiKey = "ApiKey";

    /// <summary>Forwards to <see cref="ApiKey"/> when an <c>x-api-key</c> header is present, else to <see cref="Jwt"/>.</summary>
    public const string JwtOrApiKey = "JwtOrApiKey";

    /// <summary>Where <see cref="JwtOrApiKey"/> sends its challenges: a 401 there names both schemes.</summary>
    public const string JwtOrApiKeyChallenge = "JwtOrApiKeyChallenge";

    public const string ApiKeyHeader = "x-api-key";
}

/// <summary>Claim types as they appear in our JWTs and API-key principals.</summary>
public static class AuthClaims
{
    public const string Subject = "sub";
    public const string Email = "email";

    /// <summary>In access tokens: whether the address was verified when the token was issued (OpenID Connect's claim).</summary>
    public const string EmailVerified = "email_verified";
    public const string SessionId = "sid";

    /// <summary>In access tokens: how the login was proven (RFC 8176), always a JSON array.</summary>
    public const string AuthMethods = "amr";
    public const string KeyId = "key_id";

    /// <summary>An API key's scopes, space-separated (RFC 8693 §4.2).</summary>
    public const string Scope = "scope";
}
