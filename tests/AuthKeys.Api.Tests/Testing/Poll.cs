namespace AuthKeys.Api.Tests.Testing;

public static class Poll
{
    /// <summary>
    /// Asserts that <paramref name="condition"/> becomes true within <paramref name="bound"/>. The
    /// bound is generous, not a measurement: it only ends a test that would otherwise wait forever.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {bound.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }
}
