namespace AuthKeys.Api.Accounts;

public enum SecretOutcome { Correct, WrongPassword, CodeRequired, WrongCode, Locked }

/// <summary>
/// How a check of an account's secrets ended: right; a wrong password or second-factor code
/// (counted toward the lockout); a code missing where the second factor asks for one; or refused
/// unchecked while locked out.
/// </summary>
public sealed record SecretCheck(SecretOutcome Outcome, TimeSpan? RetryAfter = null)
{
    public static readonly SecretCheck Correct = new(SecretOutcome.Correct);
    public static readonly SecretCheck WrongPassword = new(SecretOutcome.WrongPassword);
    public static readonly SecretCheck CodeRequired = new(SecretOutcome.CodeRequired);
    public static readonly SecretCheck WrongCode = new(SecretOutcome.WrongCode);

    public static SecretCheck LockedFor(TimeSpan wait) => new(SecretOutcome.Locked, wait);

    public bool IsCorrect => Outcome == SecretOutcome.Correct;
}
