using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- keys 10000   (fresh keys, one a line, for bench/load.sh)
// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- revocation-delay URL_A URL_B 100   (for bench/nodes.sh)
// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- webhooks URL_A URL_B 200   (for bench/nodes.sh)
// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- cache-memory 1000000   (bytes per cached key, in-process)
// dotnet run -c Release --project bench/AuthKeys.Benchmarks -- mfa-logins URL 300 8 10   (accounts, connections, seconds; for bench/logins.sh)
if (args is ["keys", var countText] && int.TryParse(countText, out var count))
{
    using var output = new StreamWriter(Console.OpenStandardOutput());
    for (var i = 0; i < count; i++)
        output.WriteLine(ApiKeyFormat.Generate());
    return 0;
}
if (args is ["cache-memory", var cachedText] && int.TryParse(cachedText, out var cached))
    return await CacheMemory.RunAsync(cached);
if (args is ["revocation-delay", var nodeA, var nodeB, var trialsText] && int.TryParse(trialsText, out var trials))
    return await RevocationDelay.RunAsync(new Uri(nodeA), new Uri(nodeB), trials);
if (args is ["webhooks", var hookNodeA, var hookNodeB, var eventsText] && int.TryParse(eventsText, out var events))
    return await WebhookDelivery.RunAsync(new Uri(hookNodeA), new Uri(hookNodeB), events);
if (args is ["mfa-logins", var service, var accountsText, var connectionsText, var secondsText]
    && int.TryParse(accountsText, out var accounts) && int.TryParse(connectionsText, out var connections) && int.TryParse(secondsText, out var seconds))
    return await SecondFactorLogins.RunAsync(new Uri(service), accounts, connections, TimeSpan.FromSeconds(seconds));

BenchmarkSwitcher.FromAssembly(typeof(HotPathBenchmarks).Assembly).Run(args);
return 0;
