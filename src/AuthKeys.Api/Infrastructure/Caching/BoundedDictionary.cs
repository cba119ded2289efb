using System.Collections.Concurrent;

namespace AuthKeys.Api.Infrastructure.Caching;

/// <summary>The size bound shared by the in-memory authentication caches.</summary>
internal static class BoundedDictionary
{
    /// <summary>
    /// Call before an insert. At capacity, drops expired entries; if that is not enough, starts
    /// over: every entry can be rebuilt (a miss goes back to the database or to full validation).
    /// </summary>
    public static void MakeRoom<TKey, TValue, TNow>(ConcurrentDictionary<TKey, TValue> entries, int capacity, TNow now, Func<TValue, TNow, bool> isExpired)
        where TKey : notnull
    {
        if (entries.Count < capacity)
            return;
        foreach (var (key, value) in entries)
        {
            if (isExpired(value, now))
                entries.TryRemove(key, out _);
        }
        if (entries.Count >= capacity)
            entries.Clear();
    }
}
