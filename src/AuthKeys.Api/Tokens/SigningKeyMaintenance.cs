using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthKeys.Api.Tokens;

/// <summary>
/// Loads the signing keys before the node serves (creating the first one on an empty table), then
/// wakes when the schedule next needs the database, or another node announces a change. A node
/// that missed an announcement (its listener was down) is woken when the listener is back.
/// </summary>
internal sealed partial class SigningKeyMaintenance(IServiceScopeFactory scopes, SigningKeyRing ring, ILogger<SigningKeyMaintenance> logger)
    : BackgroundService
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);
    private static readonly TimeSpan ShortestWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A node that cannot reach the database yet still starts (its readiness says why); it
        // answers 503 to logins until the loop below has loaded a key.
        await TryAsync((store, ct) => store.MaintainAsync(ct), cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool announced;
            try
            {
                var wait = failed || !ring.CanSign ? RetryAfterFailure : ring.UntilNextChange(LongestWait);
                announced = await ring.WaitForChangeAsync(wait < ShortestWait ? ShortestWait : wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            failed = !await TryAsync(announced ? (store, ct) => store.ReloadAsync(ct) : (store, ct) => store.MaintainAsync(ct), stoppingToken);
        }
    }

    private async Task<bool> TryAsync(Func<SigningKeyStore, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await work(scope.ServiceProvider.GetRequiredService<SigningKeyStore>(), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or DbUpdateException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, e);
            return false;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not bring the signing keys up to date; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
