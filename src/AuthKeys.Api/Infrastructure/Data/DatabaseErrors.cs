using Npgsql;

namespace AuthKeys.Api.Infrastructure.Data;

public static class DatabaseErrors
{
    /// <summary>
    /// PostgreSQL aborted the transaction because it conflicted with a concurrent one (a deadlock
    /// or a serialization failure): nothing of it was kept, and the same work can be tried again.
    /// EF Core wraps the error in exceptions of its own.
    /// </summary>
    public static bool IsDeadlock(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
                return true;
        }
        return false;
    }
}
