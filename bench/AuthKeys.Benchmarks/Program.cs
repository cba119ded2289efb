using AuthKeys.Api.ApiKeys;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- keys 10000   (fresh keys, one a line, for bench/run.sh)
if (args is ["keys", var countText] && int.TryParse(countText, out var count))
{
    using var output = new StreamWriter(Console.OpenStandardOutput());
    for (var i = 0; i < count; i++)
        output.WriteLine(ApiKeyFormat.Generate());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(AuthKeys.Benchmarks.HotPathBenchmarks).Assembly).Run(args);
