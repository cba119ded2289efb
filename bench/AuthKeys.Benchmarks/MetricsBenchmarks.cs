using System.Diagnostics.Metrics;
using AuthKeys.Api.Infrastructure.Observability;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AuthKeys.Benchmarks;

/// <summary>
/// What one recording of the product's metrics costs with an OpenTelemetry reader attached (as
/// with METRICS_ENABLED=true), and that it allocates nothing: a JWT request records three of these,
/// an API-key request two.
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks
{
    private ServiceProvider _services = null!;
    private AuthKeysMetrics _metrics = null!;
    private MeterProvider _provider = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().AddSingleton<AuthKeysMetrics>().BuildServiceProvider();
        _metrics = _services.GetRequiredService<AuthKeysMetrics>();
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(AuthKeysMetrics.MeterName)
            .AddReader(new BaseExportingMetricReader(new NothingExporter()))
            .Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider.Dispose();
        _services.Dispose();
    }

    [Benchmark]
    public void AuthenticationOutcome() => _metrics.Authenticated(AuthKeysMetrics.AuthScheme.ApiKey, AuthKeysMetrics.AuthOutcome.Success);

    [Benchmark]
    public void CacheLookup() => _metrics.CacheLookup(AuthKeysMetrics.CacheName.Sessions, hit: true);

    private sealed class NothingExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
