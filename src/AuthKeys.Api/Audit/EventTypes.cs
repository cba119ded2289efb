using System.Collections.Frozen;

namespace AuthKeys.Api.Audit;

/// <summary>The security events: each is audited, and some can be subscribed to by webhooks.</summary>
public static class EventTypes
{
    public const string UserSignup = "user.signup";
    public const string LoginSucceeded = "auth.login.succeeded";
    public const string LoginFailed = "auth.login.failed";
    public const string LoginLocked = "auth.login.locked";
    public const string MfaFailed = "auth.login.mfa_failed";
    public const string Logout = "auth.logout";
    public const string LogoutAll = "auth.logout_all";
    public const string RefreshReuseDetected = "auth.refresh.reuse_detected";
    public const string SessionRevoked = "session.revoked";
    public const string PasswordChanged = "password.changed";
    public const string EmailVerificationSent = "email.verification_sent";
    public const string EmailVerified = "email.verified";
    public const string PasswordResetRequested = "password.reset_requested";
    public const string PasswordReset = "password.reset";
    public const string EmailChangeRequested = "email.change_requested";
    public const string EmailChanged = "email.changed";
    public const string MfaEnabled = "mfa.enabled";
    public const string MfaDisabled = "mfa.disabled";
    public const string RecoveryCodesRegenerated = "mfa.recovery_codes_regenerated";
    public const string RecoveryCodeUsed = "mfa.recovery_code_used";
    public const string KeyCreated = "key.created";
    public const string KeyUpdated = "key.updated";
    public const string KeyRolled = "key.rolled";
    public const string KeyRevoked = "key.revoked";
    public const string KeyExpiring = "key.expiring";
    public const string KeyUsageExceeded = "key.usage_exceeded";
    public const string WebhookCreated = "webhook.created";
    public const string WebhookDeleted = "webhook.deleted";

    /// <summary>What a webhook may subscribe to, in the order the documentation lists them.</summary>
    public static readonly IReadOnlyList<string> Subscribable =
    [
        KeyCreated, KeyUpdated, KeyRolled, KeyRevoked, KeyExpiring, KeyUsageExceeded,
        RefreshReuseDetected, LoginLocked, PasswordChanged, PasswordReset, EmailChanged, MfaEnabled, MfaDisabled,
    ];

    public static readonly FrozenSet<string> SubscribableSet = Subscribable.ToFrozenSet(StringComparer.Ordinal);
}
