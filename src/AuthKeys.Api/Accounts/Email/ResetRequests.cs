using System.Threading.Channels;
using AuthKeys.Api.Infrastructure.Web;

namespace AuthKeys.Api.Accounts.Email;

/// <summary>
/// Forgot-password requests, handled after the answer: the request only queues the address, so it
/// does the same work and takes the same time whether or not an account has it. A request still
/// queued when the node stops is dropped; the person asks again (the answer promised nothing more).
/// </summary>
public sealed partial class ResetRequests(IServiceScopeFactory scopes, ILogger<ResetRequests> logger) : BackgroundService
{
    private readonly Channel<(string Email, RequestOrigin Origin)> _queue =
        Channel.CreateBounded<(string, RequestOrigin)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private volatile bool _full;

    public void Enqueue(string email, RequestOrigin origin)
    {
        if (_queue.Writer.TryWrite((email, origin)) || _full)
            return;
        _full = true; // logged once per flood, not once per request
        LogDropped(logger);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (email, origin) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            _full = false;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<EmailFlows>().RequestResetAsync(email, origin, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Password-reset requests are being dropped: too many are waiting")]
    private static partial void LogDropped(ILogger logger);

    [LoggerMessage(LogLevel.Error, "A password-reset request failed; the person can ask again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
