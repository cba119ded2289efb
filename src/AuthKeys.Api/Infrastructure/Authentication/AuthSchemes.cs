namespace AuthKeys.Api.Infrastructure.Authentication;

/// <summary>Authentication scheme names, in one place for controllers, Swagger and tests.</summary>
public static class AuthSchemes
{
    /// <summary>A person's access token (one with a session).</summary>
    public const string Jwt = "Bearer";

    /// <summary>A service's access token, minted for an API key by client credentials.</summary>
    public const string ServiceToken = "ServiceToken";

    /// <summary>Either kind of access token.</summary>
    public const string AnyBearer = "AnyBearer";

    public const string ApiKey = "ApiKey";

    /// <summary>Forwards to <see cref="ApiKey"/> when an <c>x-api-key</c> header is present, else to <see cref="AnyBearer"/>.</summary>
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

    /// <summary>In access tokens (RFC 9068): the client the token was issued to; an API key's id for a service's token.</summary>
    public const string ClientId = "client_id";

    /// <summary>In a person's access tokens: when the login that opened the session happened.</summary>
    public const string AuthTime = "auth_time";

    /// <summary>An API key's scopes, space-separated (RFC 8693 §4.2).</summary>
    public const string Scope = "scope";
}
