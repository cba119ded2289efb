using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Infrastructure.Caching;

public sealed class RevocableCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RevocableCache<int, string> _cache;
    private int _loads;

    public RevocableCacheTests() => _cache = new(TimeSpan.FromSeconds(60), capacity: 1_000, _time);

    [Fact]
    public async Task EntriesLoadedTogetherExpireSpreadOverTheLastQuarterOfTheirTimeToLive()
    {
        await LoadAllAsync(); // 200 entries stored at the same instant
        Assert.Equal(200, _loads);

        _time.Advance(TimeSpan.FromSeconds(44.9));
        await LoadAllAsync();
        Assert.Equal(200, _loads); // all still cached: none lives less than 75%

        _time.Advance(TimeSpan.FromSeconds(7.6)); // 52.5 s: half-way through the spread
        await LoadAllAsync();
        Assert.InRange(_loads - 200, 40, 160); // some reloaded, not all

        _time.Advance(TimeSpan.FromSeconds(7.5)); // 60 s after the first load: none is older than its time-to-live
        var reloadedBefore = _loads - 200;
        await LoadAllAsync();
        Assert.Equal(200 - reloadedBefore, _loads - 200 - reloadedBefore);
    }

    [Fact]
    public async Task ARevocationIsSeenAtOnceAndAStaleLoadIsNotStoredAfterIt()
    {
        Assert.Equal("v1", await _cache.GetOrLoadAsync(1, "v1", LoadAsync, CancellationToken.None));

        var finishLoad = new TaskCompletionSource<string?>();
        var staleLoad = _cache.GetOrLoadAsync(2, 0, (_, _) => finishLoad.Task, CancellationToken.None).AsTask();
        _cache.Revoke([1, 2]);
        finishLoad.SetResult("stale");
        Assert.Equal("stale", await staleLoad); // its caller started before the revocation

        Assert.Equal("v2", await _cache.GetOrLoadAsync(1, "v2", LoadAsync, CancellationToken.None));
        Assert.Equal("fresh", await _cache.GetOrLoadAsync(2, "fresh", LoadAsync, CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentMissesForOneKeyShareOneLoad()
    {
        var finishLoad = new TaskCompletionSource<string?>();
        var lookups = Enumerable.Range(0, 20)
            .Select(_ => _cache.GetOrLoadAsync(1, finishLoad, CountedLoadAsync, CancellationToken.None).AsTask())
            .ToArray();
        finishLoad.SetResult("value");

        Assert.All(await Task.WhenAll(lookups), value => Assert.Equal("value", value));
        Assert.Equal(1, _loads);
        Assert.Equal("value", await _cache.GetOrLoadAsync(1, finishLoad, CountedLoadAsync, CancellationToken.None));
        Assert.Equal(1, _loads);
    }

    [Fact]
    public async Task ALookupAfterARevocationDoesNotJoinALoadThatStartedBeforeIt()
    {
        var staleLoad = new TaskCompletionSource<string?>();
        var before = _cache.GetOrLoadAsync(1, staleLoad, CountedLoadAsync, CancellationToken.None).AsTask();
        _cache.Revoke([1]);
        var after = _cache.GetOrLoadAsync(1, "fresh", LoadAsync, CancellationToken.None).AsTask();
        staleLoad.SetResult("stale");

        Assert.Equal("stale", await before);
        Assert.Equal("fresh", await after);
        Assert.Equal("fresh", await _cache.GetOrLoadAsync(1, "unused", LoadAsync, CancellationToken.None));
    }

    [Fact]
    public async Task ACallerThatStopsWaitingDoesNotCancelTheLoadForTheOthers()
    {
        var finishLoad = new TaskCompletionSource<string?>();
        using var leaving = new CancellationTokenSource();
        var leaver = _cache.GetOrLoadAsync(1, finishLoad, CountedLoadAsync, leaving.Token).AsTask();
        var stayer = _cache.GetOrLoadAsync(1, finishLoad, CountedLoadAsync, CancellationToken.None).AsTask();

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaver);
        finishLoad.SetResult("value");
        Assert.Equal("value", await stayer);
        Assert.Equal(1, _loads);
    }

    [Fact]
    public async Task WhileNoticesMayBeMissedEntriesAreTrustedForTheStalenessBoundAfterTheOutageOrTheirLoad()
    {
        var trust = new CacheTrust(TimeSpan.FromSeconds(5), _time);
        trust.MarkListening();
        var cache = new RevocableCache<int, string>(TimeSpan.FromMinutes(10), capacity: 1_000, _time, trust);
        Assert.Equal("old", await cache.GetOrLoadAsync(1, "old", LoadAsync, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1)); // long after its load, still good while listening

        trust.MarkDeaf();
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal("old", await cache.GetOrLoadAsync(1, "unused", LoadAsync, CancellationToken.None));
        trust.MarkDeaf(); // a failed reconnect does not restart the clock
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal("reloaded", await cache.GetOrLoadAsync(1, "reloaded", LoadAsync, CancellationToken.None));

        // Loaded while deaf: 5 s from its load, not from the outage.
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal("reloaded", await cache.GetOrLoadAsync(1, "again", LoadAsync, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal("again", await cache.GetOrLoadAsync(1, "again", LoadAsync, CancellationToken.None));

        trust.MarkListening();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("again", await cache.GetOrLoadAsync(1, "unused", LoadAsync, CancellationToken.None));
    }

    [Fact]
    public async Task ANewNodeTrustsNothingLongerThanTheBoundUntilItListens()
    {
        var cache = new RevocableCache<int, string>(TimeSpan.FromMinutes(10), capacity: 1_000, _time, new CacheTrust(TimeSpan.FromSeconds(5), _time));
        Assert.Equal("first", await cache.GetOrLoadAsync(1, "first", LoadAsync, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("second", await cache.GetOrLoadAsync(1, "second", LoadAsync, CancellationToken.None));
    }

    [Fact]
    public async Task ClearForgetsEveryEntryAndEveryLoadInFlight()
    {
        await LoadAllAsync();
        var staleLoad = new TaskCompletionSource<string?>();
        var before = _cache.GetOrLoadAsync(1_000, staleLoad, CountedLoadAsync, CancellationToken.None).AsTask();

        _cache.Clear();
        staleLoad.SetResult("stale");
        Assert.Equal("stale", await before);

        Assert.Equal("fresh", await _cache.GetOrLoadAsync(1_000, "fresh", LoadAsync, CancellationToken.None));
        var loadsBefore = _loads;
        await LoadAllAsync();
        Assert.Equal(200, _loads - loadsBefore);
    }

    [Fact]
    public async Task AtCapacityTheColdestEntriesMakeRoomNotTheHotOnes()
    {
        // 100 hot keys, each used again every round, while ten times the capacity of one-off keys passes through.
        for (var key = 0; key < 100; key++)
            await _cache.GetOrLoadAsync(key, "hot", LoadAsync, CancellationToken.None);
        for (var round = 0; round < 10; round++)
        {
            for (var key = 0; key < 100; key++)
                await _cache.GetOrLoadAsync(key, "hot", LoadAsync, CancellationToken.None);
            for (var cold = 0; cold < 1_000; cold++)
                await _cache.GetOrLoadAsync(100_000 + (round * 1_000) + cold, "cold", LoadAsync, CancellationToken.None);
        }

        // Clearing everything when full would reload every hot key in every round: 900 reloads.
        // An LRU keeps them, give or take the odd one its approximation lets go.
        var hotReloads = _loads - 100 - 10_000;
        Assert.InRange(hotReloads, 0, 20);
    }

    private async Task LoadAllAsync()
    {
        for (var key = 0; key < 200; key++)
            Assert.Equal($"value {key}", await _cache.GetOrLoadAsync(key, $"value {key}", LoadAsync, CancellationToken.None));
    }

    private Task<string?> LoadAsync(int key, string value)
    {
        _loads++;
        return Task.FromResult<string?>(value);
    }

    private Task<string?> CountedLoadAsync(int key, TaskCompletionSource<string?> result)
    {
        Interlocked.Increment(ref _loads);
        return result.Task;
    }
}
