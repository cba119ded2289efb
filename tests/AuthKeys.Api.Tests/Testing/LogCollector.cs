using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>Every log entry the service writes, after its configured level filters.</summary>
public sealed class LogCollector : ILoggerProvider
{
    /// <param name="Everything">The message, every structured value, the exception and the scopes it was written in.</param>
    public sealed record Entry(LogLevel Level, string Category, string Message, string Everything);

    private readonly ConcurrentQueue<string> _scopes = new();

    /// <summary>Every scope any logger opened (scopes carry request ids, paths and whatever code puts there).</summary>
    public IReadOnlyCollection<string> Scopes => _scopes;

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => _entries;

    /// <summary>
    /// The latest errors any test host logged: a test that meets an unexpected 5xx names its cause
    /// (<see cref="ApiClientExtensions.ReadJsonAsync"/>) even when the failure is rare.
    /// </summary>
    public static string RecentErrors()
    {
        var recent = RecentErrorEntries.ToArray().TakeLast(5).ToArray();
        return recent.Length == 0 ? "(no error logged)" : string.Join("\n", recent.Select(e => $"{e.Category}: {e.Everything}"));
    }

    private static readonly ConcurrentQueue<Entry> RecentErrorEntries = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector collector, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            collector._scopes.Enqueue(Describe(state));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new Entry(logLevel, category, formatter(state, exception), $"{formatter(state, exception)} {Describe(state)} {exception}");
            collector._entries.Enqueue(entry);
            if (logLevel < LogLevel.Error)
                return;
            RecentErrorEntries.Enqueue(entry);
            while (RecentErrorEntries.Count > 20)
                RecentErrorEntries.TryDequeue(out _);
        }

        private static string Describe(object? state) => state is IEnumerable<KeyValuePair<string, object?>> values
            ? string.Join(" ", values.Select(v => $"{v.Key}={v.Value}"))
            : $"{state}";
    }
}
