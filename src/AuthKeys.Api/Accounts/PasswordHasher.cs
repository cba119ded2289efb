using System.Diagnostics;
using AuthKeys.Api.Infrastructure.Errors;
using AuthKeys.Api.Infrastructure.Observability;
using Microsoft.Extensions.Options;
using BCryptHasher = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace AuthKeys.Api.Accounts;

/// <summary>
/// bcrypt with SHA-384 pre-hashing (every character of a 128-character password counts; bcrypt
/// alone reads 72 bytes), run at most PASSWORD_HASH_CONCURRENCY at once (default: one per core) so
/// that a login burst queues here instead of crowding out the rest of the traffic. The queue is
/// bounded too (PASSWORD_HASH_QUEUE waiting, each for at most 10 s): past either, the request is
/// answered 503 at once rather than holding its connection and memory while the backlog grows.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate;
    private readonly int _queueLimit;
    private int _waiting;
    private readonly int _cost;
    private readonly Lazy<string> _decoyHash;
    private readonly AuthKeysMetrics _metrics;

    public PasswordHasher(IOptions<AuthOptions> options, AuthKeysMetrics metrics)
    {
        _metrics = metrics;
        _gate = new SemaphoreSlim(options.Value.PasswordHashConcurrency);
        _queueLimit = options.Value.PasswordHashQueue;
        _cost = options.Value.PasswordHashCost;
        // Unknown emails are checked against this, so they cost the same time as real ones.
        _decoyHash = new Lazy<string>(() => BCryptHasher.EnhancedHashPassword(Guid.NewGuid().ToString(), _cost, HashType.SHA384));
    }

    /// <summary>The hash of the password's NFKC form (<see cref="PasswordText"/>).</summary>
    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        RunAsync(() => BCryptHasher.EnhancedHashPassword(PasswordText.Normalize(password), _cost, HashType.SHA384), cancellationToken);

    /// <summary>
    /// Checks the password's NFKC form, and, when that differs from what was typed, the password as
    /// typed: hashes made before passwords were normalized still verify. Both checks run whether or
    /// not the hash matched and whether or not there is an account (with a null hash, against a
    /// decoy, then false), so the time taken depends only on the password sent.
    /// </summary>
    public Task<bool> VerifyAsync(string password, string? hash, CancellationToken cancellationToken) =>
        RunAsync(() =>
        {
            var normalized = PasswordText.Normalize(password);
            var against = hash ?? _decoyHash.Value;
            var matches = BCryptHasher.EnhancedVerify(normalized, against, HashType.SHA384);
            if (normalized != password)
                matches |= BCryptHasher.EnhancedVerify(password, against, HashType.SHA384);
            return matches && hash is not null;
        }, cancellationToken);

    private async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var queued = Stopwatch.GetTimestamp();
        _metrics.HashQueued();
        var refused = false;
        try
        {
            if (!_gate.Wait(0, CancellationToken.None)) // a free slot now: no queue to join
            {
                if (Interlocked.Increment(ref _waiting) > _queueLimit)
                {
                    Interlocked.Decrement(ref _waiting);
                    refused = true;
                    throw Busy();
                }
                try
                {
                    refused = !await _gate.WaitAsync(MaxWait, cancellationToken);
                    if (refused)
                        throw Busy();
                }
                finally
                {
                    Interlocked.Decrement(ref _waiting);
                }
            }
        }
        finally
        {
            _metrics.HashStarted(Stopwatch.GetElapsedTime(queued)); // left the queue: with a slot, refused or cancelled
            if (refused)
                _metrics.Rejected(AuthKeysMetrics.RejectionReason.PasswordHashQueue);
        }
        try
        {
            return work();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ServiceBusyException Busy() =>
        new("Too many passwords are being checked right now. Try again in a few seconds.", TimeSpan.FromSeconds(5));

    public void Dispose() => _gate.Dispose();
}
