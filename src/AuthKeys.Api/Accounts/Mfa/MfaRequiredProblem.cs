using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace AuthKeys.Api.Accounts.Mfa;

/// <summary>
/// A 401 of POST /auth/login. When <c>type</c> ends in <c>mfa-required</c> the password was right
/// and the account has a second factor: send <c>mfaToken</c> with a code to POST /auth/login/mfa.
/// Otherwise the email or password was wrong, and there is no <c>mfaToken</c>.
/// </summary>
public sealed class MfaRequiredProblem : ProblemDetails
{
    /// <summary>Opaque; works once, for 5 minutes, and ends after 5 wrong codes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MfaToken { get; set; }
}
