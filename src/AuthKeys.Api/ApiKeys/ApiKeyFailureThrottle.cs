using System.Collections.Concurrent;
using System.Net;
using AuthKeys.Api.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.ApiKeys;

/// <summary>
/// Counts failed API-key attempts per client IP in one-minute windows. Past
/// APIKEY_FAILURES_PER_MINUTE that IP gets 429 for the rest of the window, so nobody can scan for
/// keys at full speed. Only failing addresses have an entry: a successful request costs one lookup.
/// </summary>
public sealed class ApiKeyFailureThrottle(IOptions<ThrottlingOptions> options, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();
    private readonly int _limit = options.Value.ApiKeyFailuresPerMinute;

    // TryGetValue is lock-free; IsEmpty and Count would take every lock of the dictionary.
    public bool IsBlocked(IPAddress address) =>
        _failures.TryGetValue(address, out var failures) && failures.Window == CurrentWindow() && failures.Count >= _limit;

    public void RecordFailure(IPAddress address)
    {
        var window = CurrentWindow();
        _failures.AddOrUpdate(address, static (_, window) => new Failures(window, 1),
            static (_, previous, window) => previous.Window == window ? previous with { Count = previous.Count + 1 } : new Failures(window, 1), window);
        if (_failures.Count > SweepThreshold)
        {
            // Forget addresses whose window has passed, so a wide scan cannot grow this without bound.
            foreach (var (key, failures) in _failures)
            {
                if (failures.Window != window)
                    _failures.TryRemove(key, out _);
            }
        }
    }

    private long CurrentWindow() => time.GetUtcNow().Ticks / Window.Ticks;

    private sealed record Failures(long Window, int Count);
}
