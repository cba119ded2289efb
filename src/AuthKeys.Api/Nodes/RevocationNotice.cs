namespace AuthKeys.Api.Nodes;

public enum RevocationScope
{
    /// <summary>One API key, by the SHA-256 of its secret.</summary>
    ApiKey,

    /// <summary>One session, by id.</summary>
    Session,

    /// <summary>Everything cached (a table was truncated).</summary>
    Everything,
}

/// <summary>
/// A change committed to a credential, as the database triggers announce it on
/// <see cref="Channel"/> (migration <c>RevocationNotices</c>): <c>k:&lt;hex SHA-256&gt;</c>,
/// <c>s:&lt;uuid&gt;</c> or <c>*</c>.
/// </summary>
public readonly record struct RevocationNotice(RevocationScope Scope, byte[]? KeyHash, Guid SessionId)
{
    public const string Channel = "authkeys_revocations";

    public static bool TryParse(string payload, out RevocationNotice notice)
    {
        notice = default;
        if (payload == "*")
        {
            notice = new RevocationNotice(RevocationScope.Everything, null, Guid.Empty);
            return true;
        }
        if (payload.StartsWith("k:", StringComparison.Ordinal) && payload.Length == 2 + 64)
        {
            try
            {
                notice = new RevocationNotice(RevocationScope.ApiKey, Convert.FromHexString(payload.AsSpan(2)), Guid.Empty);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
        if (payload.StartsWith("s:", StringComparison.Ordinal) && Guid.TryParse(payload.AsSpan(2), out var sessionId))
        {
            notice = new RevocationNotice(RevocationScope.Session, null, sessionId);
            return true;
        }
        return false;
    }
}

/// <summary>A cache of credential state that evicts what a notice names (registered as a singleton).</summary>
public interface IRevocationSubscriber
{
    /// <summary>Called for every notice, on the listener's thread: keep it short.</summary>
    void OnRevoked(RevocationNotice notice);

    /// <summary>Called when notices may have been missed: drop everything.</summary>
    void Clear();
}
