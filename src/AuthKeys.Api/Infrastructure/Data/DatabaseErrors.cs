using System.Net.Sockets;
using Npgsql;

namespace AuthKeys.Api.Infrastructure.Data;

/// <summary>What a failure from PostgreSQL means for the request, through the exceptions EF Core wraps it in.</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// PostgreSQL aborted the transaction because it conflicted with a concurrent one (a deadlock
    /// or a serialization failure): nothing of it was kept, and the same work can be tried again.
    /// </summary>
    public static bool IsDeadlock(Exception exception) =>
        Causes(exception).Any(e => e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure });

    /// <summary>The database cannot be reached, or is shutting down or starting.</summary>
    public static bool IsUnavailable(Exception exception) =>
        Causes(exception).FirstOrDefault(e => e is NpgsqlException or SocketException or TimeoutException) switch
        {
            // Class 08: connection exceptions; 57P0x: the server is shutting down or starting.
            PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal),
            null => false,
            _ => true,
        };

    private static IEnumerable<Exception> Causes(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            yield return e;
    }
}
