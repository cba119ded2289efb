namespace AuthKeys.Api.Accounts;

/// <summary>
/// Credentials of an account that another feature keeps (its API keys). When the account is erased
/// or deactivated, they are read before the change (an erasure cascades them away) and evicted
/// from this node's caches after it commits; other nodes hear of it from the database.
/// </summary>
public interface IAccountCredentials
{
    /// <summary>Reads what the user holds now, in the caller's transaction; the action evicts it.</summary>
    Task<Action> CollectAsync(Guid userId, CancellationToken cancellationToken);
}
