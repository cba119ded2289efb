using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(AuthKeys.Benchmarks.HotPathBenchmarks).Assembly).Run(args);
