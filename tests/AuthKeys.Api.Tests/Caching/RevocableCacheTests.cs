using AuthKeys.Api.Infrastructure.Caching;
using Microsoft.Extensions.Time.Testing;

namespace AuthKeys.Api.Tests.Caching;

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
