using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.Mail;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>What AuthKeys writes to an account's owner, composed in the one layout of <see cref="OutgoingMail"/>.</summary>
public sealed class AccountMail(MailOutbox outbox, TimeProvider time)
{
    private const string IfNotYouSignIn = "If this was not you, change your password at once and end your other sessions.";

    public void Verification(Guid userId, string to, string link, RequestOrigin origin) =>
        Add(userId, to, "Confirm your email address",
            ["Confirm that this address belongs to your AuthKeys account. The link works once, for 24 hours."],
            ("Confirm my address", link), origin, "If you did not sign up or ask for this, ignore this message: nothing changes.");

    public void Reset(Guid userId, string to, string link, RequestOrigin origin) =>
        Add(userId, to, "Reset your password",
            ["Someone asked to reset the password of your AuthKeys account. The link works once, for 30 minutes, and ends every session of the account."],
            ("Choose a new password", link), origin, "If this was not you, ignore this message: your password stays as it is.");

    public void ConfirmNewAddress(Guid userId, string to, string link, RequestOrigin origin) =>
        Add(userId, to, "Confirm your new email address",
            ["Confirm that your AuthKeys account should use this address from now on. The link works once, for 24 hours."],
            ("Use this address", link), origin, "If you did not ask for this, ignore this message: nothing changes.");

    public void AddressChangeRequested(Guid userId, string to, string newAddress, RequestOrigin origin) =>
        Add(userId, to, "Your email address is about to change",
            [$"Someone asked to move your AuthKeys account to {newAddress}. It changes only when the link sent there is used."],
            null, origin, IfNotYouSignIn);

    public void AddressChanged(Guid userId, string to, string newAddress, RequestOrigin origin) =>
        Add(userId, to, "Your email address was changed",
            [$"Your AuthKeys account now uses {newAddress}; mail no longer comes to this address."],
            null, origin, "If this was not you, contact the service's operator at once: the account is no longer tied to this address.");

    public void PasswordChanged(Guid userId, string to, RequestOrigin origin) =>
        Add(userId, to, "Your password was changed",
            ["The password of your AuthKeys account was changed, and every other session ended."],
            null, origin, "If this was not you, reset your password now with \"forgot password\".");

    public void PasswordReset(Guid userId, string to, RequestOrigin origin) =>
        Add(userId, to, "Your password was reset",
            ["The password of your AuthKeys account was reset with a link sent to this address, and every session ended."],
            null, origin, "If this was not you, reset your password again now and check your API keys.");

    public void SecondFactorEnabled(Guid userId, string to, RequestOrigin origin) =>
        Add(userId, to, "A second factor now protects your account",
            ["Logging in to your AuthKeys account now also asks for a code from an authenticator app, and every other session ended. Keep the recovery codes somewhere safe."],
            null, origin, IfNotYouSignIn);

    public void SecondFactorDisabled(Guid userId, string to, RequestOrigin origin) =>
        Add(userId, to, "The second factor of your account was turned off",
            ["Logging in to your AuthKeys account no longer asks for a code from an authenticator app."],
            null, origin, IfNotYouSignIn);

    public void RecoveryCodeUsed(Guid userId, string to, int remaining, RequestOrigin origin) =>
        Add(userId, to, "A recovery code of your account was used",
            [$"One of the recovery codes of your AuthKeys account was used in place of the authenticator app; {remaining} remain."],
            null, origin, "If this was not you, someone has your password and a recovery code: reset your password and create new recovery codes at once.");

    private void Add(Guid userId, string to, string subject, string[] paragraphs, (string, string)? action, RequestOrigin origin, string ifNotYou) =>
        outbox.Add(userId, OutgoingMail.Compose(to, subject, paragraphs, action,
            new MailOrigin(time.GetUtcNow(), origin.IpAddress, origin.UserAgent), ifNotYou));
}
