using AgentQuotas.Benchmarks.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Benchmarks.Scale;

/// <summary>
/// Benchmark 2: 100,000 tenants x 4 categories (400,000 buckets) in the in-memory store. Acquires hit a
/// random bucket each (a fixed pseudo-random sequence, so every run walks the same keys), against the
/// same bucket every time as the cache-friendly baseline. Memory per bucket: the <c>bucket-memory</c> command.
/// </summary>
public class ScaleAcquireBenchmarks
{
    private const int Batch = 1024;
    private readonly string[] _categories = BucketMemoryReport.Categories;
    private readonly QuotaTool[] _tools = BucketMemoryReport.Categories.Select(c => new QuotaTool("tool-" + c, c)).ToArray();
    private string[] _tenants = null!;
    private AgentIdentity[] _identities = null!;
    private int[] _sequence = null!;
    private int _position;
    private InMemoryQuotaStore _store = null!;
    private BucketLimits _limits = null!;
    private QuotaGate _gate = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tenants = BucketMemoryReport.TenantIds(BucketMemoryReport.Tenants);
        _identities = _tenants.Select(t => new AgentIdentity(t, "bench")).ToArray();
        _limits = new BucketLimits(capacity: 100_000_000_000, refillPerSecond: 10_000_000);
        _store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { EvictionInterval = Timeout.InfiniteTimeSpan });
        _gate = new QuotaGate(BenchPolicies.Unbounded(_categories), new QuotaGateOptions { Store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { EvictionInterval = Timeout.InfiniteTimeSpan }) });
        foreach (string tenant in _tenants)
        {
            foreach (string category in _categories)
            {
                _store.TryAcquire(new QuotaStoreRequest(new BucketKey(tenant, category), _limits, 1));
            }
        }

        for (int t = 0; t < _identities.Length; t++)
        {
            foreach (QuotaTool tool in _tools)
            {
                _gate.TryAcquire(new QuotaRequest(_identities[t], tool, 1));
            }
        }

        var random = new Random(20261121);
        _sequence = new int[1 << 20];
        for (int i = 0; i < _sequence.Length; i++)
        {
            _sequence[i] = random.Next(_tenants.Length * _categories.Length);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gate.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "store.TryAcquire, the same bucket every time")]
    public int Store_SameBucket()
    {
        int admitted = 0;
        var key = new BucketKey(_tenants[12_345], _categories[1]);
        for (int i = 0; i < Batch; i++)
        {
            admitted += _store.TryAcquire(new QuotaStoreRequest(key, _limits, 1)).IsAdmitted ? 1 : 0;
        }

        return admitted;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "store.TryAcquire, a random one of 400,000 buckets")]
    public int Store_RandomBucket()
    {
        int admitted = 0;
        int position = _position;
        for (int i = 0; i < Batch; i++)
        {
            int k = _sequence[position++ & (_sequence.Length - 1)];
            var key = new BucketKey(_tenants[k >> 2], _categories[k & 3]);
            admitted += _store.TryAcquire(new QuotaStoreRequest(key, _limits, 1)).IsAdmitted ? 1 : 0;
        }

        _position = position;
        return admitted;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "gate.TryAcquire (audited), a random one of 400,000 buckets")]
    public int Gate_RandomBucket()
    {
        int admitted = 0;
        int position = _position;
        for (int i = 0; i < Batch; i++)
        {
            int k = _sequence[position++ & (_sequence.Length - 1)];
            admitted += _gate.TryAcquire(new QuotaRequest(_identities[k >> 2], _tools[k & 3], 1)).IsAdmitted ? 1 : 0;
        }

        _position = position;
        return admitted;
    }
}

/// <summary>
/// Benchmark 2 (eviction): one sweep over 400,000 buckets on virtual time, when every bucket is idle and
/// full (all evicted) and when none is idle (none evicted). Each iteration refills a fresh store first.
/// </summary>
public class ScaleEvictionBenchmarks
{
    private const int Buckets = BucketMemoryReport.Tenants * 4;
    private string[] _tenants = null!;
    private BucketLimits _limits = null!;
    private FakeTimeProvider _time = null!;
    private InMemoryQuotaStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tenants = BucketMemoryReport.TenantIds(BucketMemoryReport.Tenants);
        _limits = new BucketLimits(capacity: 1_000, refillPerSecond: 10);
    }

    [IterationSetup(Target = nameof(Sweep_AllIdle))]
    public void FillIdle() => Fill(idle: true);

    [IterationSetup(Target = nameof(Sweep_NoneIdle))]
    public void FillBusy() => Fill(idle: false);

    [IterationCleanup]
    public void Drop() => _store.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Buckets, Description = "EvictIdle over 400,000 buckets, none idle (per bucket)")]
    public int Sweep_NoneIdle() => Evict(expected: 0);

    [Benchmark(OperationsPerInvoke = Buckets, Description = "EvictIdle over 400,000 buckets, all idle: all evicted (per bucket)")]
    public int Sweep_AllIdle() => Evict(expected: Buckets);

    private int Evict(int expected)
    {
        int evicted = _store.EvictIdle();
        if (evicted != expected)
        {
            throw new InvalidOperationException($"Evicted {evicted} buckets, expected {expected}.");
        }

        return evicted;
    }

    private void Fill(bool idle)
    {
        _time = TestTime.Create();
        _store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = _time, IdleTimeout = TimeSpan.FromMinutes(10), EvictionInterval = Timeout.InfiniteTimeSpan });
        foreach (string tenant in _tenants)
        {
            foreach (string category in BucketMemoryReport.Categories)
            {
                _store.TryAcquire(new QuotaStoreRequest(new BucketKey(tenant, category), _limits, 1));
            }
        }

        // Refilled in 0.1 s; idle once full for the idle timeout.
        _time.Advance(idle ? TimeSpan.FromMinutes(11) : TimeSpan.FromMinutes(5));
    }
}
