namespace AuthKeys.Api.Accounts;

/// <summary>Your account.</summary>
/// <param name="Id">The account's id, also the <c>sub</c> claim of its access tokens.</param>
/// <param name="Email">Trimmed and lower-cased.</param>
/// <param name="Name">The display name, or null.</param>
/// <param name="CreatedAt">When it signed up.</param>
/// <param name="EmailVerified">True once a link sent to the address was used.</param>
/// <param name="MfaEnabled">True while a second factor (an authenticator app) protects the account.</param>
/// <param name="RecoveryCodesRemaining">Unused recovery codes; 0 without a second factor.</param>
public sealed record AccountResponse(Guid Id, string Email, string? Name, DateTimeOffset CreatedAt, bool EmailVerified, bool MfaEnabled, int RecoveryCodesRemaining);

/// <summary>Who is calling: the account, and the session this access token belongs to.</summary>
public sealed record MeResponse(AccountResponse User, Guid SessionId);

/// <summary>An active session (a login that can still be refreshed).</summary>
/// <param name="Id">The session's id, also the <c>sid</c> claim of its access tokens.</param>
/// <param name="CreatedAt">When it was opened (signup or login).</param>
/// <param name="LastRefreshedAt">When its refresh token was last exchanged; null until then.</param>
/// <param name="UserAgent">The User-Agent that opened it, at most 256 characters.</param>
/// <param name="IpAddress">The client address that opened it, as the rate limiter saw it.</param>
/// <param name="Current">True for the session of the access token making this request.</param>
public sealed record SessionResponse(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset? LastRefreshedAt, string? UserAgent, string? IpAddress, bool Current);
