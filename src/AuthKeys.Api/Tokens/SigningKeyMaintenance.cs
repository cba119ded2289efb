using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthKeys.Api.Tokens;

/// <summary>
/// Loads the signing keys before the node serves (creating the first one on an empty table), then
/// keeps them on schedule every minute and reloads them when another node announces a change.
/// </summary>
internal sealed partial class SigningKeyMaintenance(IServiceScopeFactory scopes, SigningKeyRing ring, ILogger<SigningKeyMaintenance> logger)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryWithoutKey = TimeSpan.FromSeconds(5);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A node that cannot reach the database yet still starts (its readiness says why); it
        // answers 503 to logins until the loop below has loaded a key.
        await TryAsync((store, ct) => store.MaintainAsync(ct), cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool announced;
            try
            {
                announced = await ring.WaitForChangeAsync(ring.CanSign ? Period : RetryWithoutKey, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await TryAsync(announced ? (store, ct) => store.ReloadAsync(ct) : (store, ct) => store.MaintainAsync(ct), stoppingToken);
        }
    }

    private async Task TryAsync(Func<SigningKeyStore, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await work(scope.ServiceProvider.GetRequiredService<SigningKeyStore>(), cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or DbUpdateException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not bring the signing keys up to date; retrying within a minute")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
