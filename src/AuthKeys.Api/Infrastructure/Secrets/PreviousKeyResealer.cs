using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Infrastructure.Secrets;

/// <summary>
/// A table column of sealed values. Each feature that seals registers its own; with
/// ENCRYPTION_KEY_PREVIOUS set, every node moves them under the current key at start-up.
/// </summary>
public interface ISealedValues
{
    /// <summary>What is sealed, for the log line.</summary>
    string Name { get; }

    /// <summary>Reseals every value that only the previous key opens; how many.</summary>
    Task<int> ResealAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs each <see cref="ISealedValues"/> once after start-up when a previous key is configured.
/// Every update is conditional on the value it read, so nodes doing this at once, or a writer
/// sealing a new value meanwhile, lose nothing; the previous key can go once every node has run it.
/// </summary>
internal sealed partial class PreviousKeyResealer(IServiceScopeFactory scopes, SecretSealer sealer, ILogger<PreviousKeyResealer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!sealer.HasPreviousKey)
            return;
        await Task.Yield(); // start-up goes on
        await using var scope = scopes.CreateAsyncScope();
        foreach (var values in scope.ServiceProvider.GetServices<ISealedValues>())
        {
            try
            {
                LogResealed(logger, await values.ResealAsync(stoppingToken), values.Name);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // They still open under the previous key; the next start tries again.
                LogFailed(logger, e, values.Name);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Resealed {Count} {Name} under the current ENCRYPTION_KEY")]
    private static partial void LogResealed(ILogger logger, int count, string name);

    [LoggerMessage(LogLevel.Warning, "Resealing {Name} under the current ENCRYPTION_KEY failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string name);
}

/// <summary>One sealed column of one table, bound to its row's <c>id</c>: the common case of <see cref="ISealedValues"/>.</summary>
public abstract class SealedColumn(AppDbContext db, SecretSealer.Purpose purpose, string table, string column) : ISealedValues
{
    private const int PageSize = 500;

    // The names come from code, never from a request; values always travel as parameters.
    private readonly string _page = $"SELECT id, {column} AS value FROM {table} WHERE {column} IS NOT NULL AND id > {{0}} ORDER BY id LIMIT {PageSize}";
    private readonly string _update = $"UPDATE {table} SET {column} = {{0}} WHERE id = {{1}} AND {column} = {{2}}";

    public string Name => $"{table}.{column}";

    public async Task<int> ResealAsync(CancellationToken cancellationToken)
    {
        var resealed = 0;
        var after = Guid.Empty;
        while (true)
        {
            var page = await db.Database.SqlQueryRaw<SealedRow>(_page, after).ToListAsync(cancellationToken);
            foreach (var row in page)
            {
                if (purpose.Reseal(row.Id, row.Value) is { } current)
                    resealed += await db.Database.ExecuteSqlRawAsync(_update, [current, row.Id, row.Value], cancellationToken);
            }
            if (page.Count < PageSize)
                return resealed;
            after = page[^1].Id;
        }
    }

    private sealed record SealedRow(Guid Id, byte[] Value);
}
