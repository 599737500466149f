using System.Diagnostics;
using System.Globalization;
using AgentQuotas.Benchmarks.Infrastructure;
using AgentQuotas.Postgres;
using AgentQuotas.Testing;
using AgentQuotas.Stores;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace AgentQuotas.Benchmarks.Postgres;

/// <summary>
/// Benchmark 5: <see cref="PostgresQuotaStore.TryAcquireAsync"/> against a throwaway PostgreSQL cluster on
/// loopback TCP, with the server's default durability (fsync and synchronous_commit on; every admission is
/// flushed to the WAL before it is confirmed). N concurrent callers (async loops) acquire cost 1 from one
/// bucket, or spread over 256 tenants' buckets. Time per operation is wall time / acquires, so acquires per
/// second = 1 / median; p50/p99 are per acquire.
/// </summary>
[Config(typeof(PostgresColumns))]
public abstract class PostgresBenchmarks
{
    private const int Tenants = 256;
    private static PostgresCluster? s_cluster;
    private PostgresQuotaStore _store = null!;
    private BucketLimits _limits = null!;
    private BucketKey[] _keys = null!;
    private LatencyRecorder _latency = null!;
    private long _roundTripsAtStart;
    private long _operations;

    [Params(1, 16, 64)]
    public int Callers { get; set; }

    [Params(Spread.OneBucket, Spread.ManyBuckets)]
    public Spread Buckets { get; set; }

    protected abstract bool Leasing { get; }

    protected abstract int Operations { get; }

    // BenchmarkDotNet's in-process toolchain does not await asynchronous setup, cleanup or workloads:
    // these block on them instead.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    public async Task SetupAsync()
    {
        if (s_cluster is null)
        {
            s_cluster = await PostgresCluster.StartAsync(durable: true, maxPoolSize: 100);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => s_cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        string connection = await s_cluster.CreateDatabaseAsync("bench_" + GetType().Name + "_" + Callers + "_" + Buckets);
        _store = await PostgresQuotaStore.OpenAsync(new PostgresQuotaStoreOptions
        {
            ConnectionString = connection,
            EnableLeasing = Leasing,
            LeaseFraction = 0.01,
        });

        // Large enough to admit everything: the benchmark measures the store, not refusals.
        _limits = new BucketLimits(capacity: 100_000_000_000, refillPerSecond: 10_000_000);
        _keys = Enumerable.Range(0, Buckets == Spread.OneBucket ? 1 : Tenants)
            .Select(t => new BucketKey("tenant-" + t.ToString("D3", CultureInfo.InvariantCulture), "search"))
            .ToArray();
        foreach (BucketKey key in _keys)
        {
            await _store.TryAcquireAsync(new QuotaStoreRequest(key, _limits, 1)); // create the rows
        }

        _latency = LatencyRecorder.For(CaseColumns.Key(Leasing ? nameof(PostgresLeasingOnBenchmarks.LeasingOn) : nameof(PostgresLeasingOffBenchmarks.LeasingOff), Callers, Buckets));
        _roundTripsAtStart = _store.Statistics.RoundTrips;
    }

    public async Task CleanupAsync()
    {
        string key = CaseColumns.Key(Leasing ? nameof(PostgresLeasingOnBenchmarks.LeasingOn) : nameof(PostgresLeasingOffBenchmarks.LeasingOff), Callers, Buckets);
        double perAcquire = (_store.Statistics.RoundTrips - _roundTripsAtStart) / (double)Math.Max(1, Interlocked.Read(ref _operations));
        CaseColumns.Publish(key, "Round trips/acquire", perAcquire.ToString(perAcquire < 0.01 ? "0.0000" : "0.00", CultureInfo.InvariantCulture));
        new CaseColumns.Latency("p50", 0.50).Publish(key);
        new CaseColumns.Latency("p99", 0.99).Publish(key);
        await _store.DisposeAsync();
    }

    protected async Task RunAsync()
    {
        _latency.BeginInvocation();
        int perCaller = Operations / Callers;
        var callers = new Task[Callers];
        for (int c = 0; c < Callers; c++)
        {
            callers[c] = CallerAsync(c, perCaller);
        }

        await Task.WhenAll(callers);
        Interlocked.Add(ref _operations, Operations);
    }

    private async Task CallerAsync(int caller, int count)
    {
        await Task.Yield(); // callers run concurrently from the start
        for (int i = 0; i < count; i++)
        {
            BucketKey key = _keys[((caller * 7919) + i) % _keys.Length];
            long start = Stopwatch.GetTimestamp();
            QuotaStoreResult result = await _store.TryAcquireAsync(new QuotaStoreRequest(key, _limits, 1));
            _latency.Record(start);
            if (!result.IsAdmitted)
            {
                throw new InvalidOperationException($"An acquire was refused: {result.Outcome} {result.Detail}");
            }
        }
    }

    public enum Spread
    {
        OneBucket,
        ManyBuckets,
    }

    private sealed class PostgresColumns : ManualConfig
    {
        public PostgresColumns() => AddColumn(
            new CaseColumns.OperationsPerSecond(),
            new CaseColumns.Latency("p50", 0.50),
            new CaseColumns.Latency("p99", 0.99),
            new CaseColumns.ReportedFigure("Round trips/acquire", "Round trips to the server per acquire over the whole case"));
    }
}

/// <summary>Leasing off: every acquire is decided by the server (one function call, one commit).</summary>
public class PostgresLeasingOffBenchmarks : PostgresBenchmarks
{
    private const int Ops = 1_024;

    protected override bool Leasing => false;

    protected override int Operations => Ops;

    [Benchmark(OperationsPerInvoke = Ops, Description = "TryAcquireAsync, leasing off")]
    public void LeasingOff() => RunAsync().GetAwaiter().GetResult();
}

/// <summary>Leasing on (1% slices): most acquires are served from a local slice; one round trip per slice.</summary>
public class PostgresLeasingOnBenchmarks : PostgresBenchmarks
{
    private const int Ops = 131_072;

    protected override bool Leasing => true;

    protected override int Operations => Ops;

    [Benchmark(OperationsPerInvoke = Ops, Description = "TryAcquireAsync, leasing on (1% slices)")]
    public void LeasingOn() => RunAsync().GetAwaiter().GetResult();
}
