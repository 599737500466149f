using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using AgentQuotas.Audit;
using AgentQuotas.Stores;
using BenchmarkDotNet.Attributes;

namespace AgentQuotas.Benchmarks.Hot;

/// <summary>
/// What the floor of a guarded call is made of on this machine: the primitives a guard cannot avoid
/// (reading the current run, reading the clock, an atomic update, writing an audit record).
/// </summary>
public class PrimitiveBenchmarks
{
    private static readonly AsyncLocal<object?> Local = new();
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<BucketKey, object> _buckets = new();
    private readonly QuotaAuditRecord[] _ring = new QuotaAuditRecord[1024];
    private FrozenDictionary<string, object> _frozen = null!;
    private QuotaAuditRecord _record;
    private long _counter;
    private double _cost;
    private int _slot;

    [GlobalSetup]
    public void Setup()
    {
        Local.Value = new object();
        _buckets[new BucketKey("acme", "search")] = new object();
        _frozen = new Dictionary<string, object> { ["acme"] = new object(), ["other"] = new object() }.ToFrozenDictionary(StringComparer.Ordinal);
        _record = new QuotaAuditRecord { Tenant = "acme", Principal = "bench", Tool = "HotTools.Add", Category = "search", PolicyVersion = "bench-1", PlannedCost = 1 };
    }

    [Benchmark(Description = "AsyncLocal<T>.Value read")]
    public object? AsyncLocalRead() => Local.Value;

    [Benchmark(Description = "Stopwatch.GetTimestamp()")]
    public long Timestamp() => Stopwatch.GetTimestamp();

    // The completion record's coarse clock (AuditClock.UtcNotBefore) against the precise one above.
    [Benchmark(Description = "Environment.TickCount64")]
    public long CoarseTicks() => Environment.TickCount64;

    [Benchmark(Description = "TimeProvider.System.GetUtcNow()")]
    public DateTimeOffset UtcNow() => TimeProvider.System.GetUtcNow();

    [Benchmark(Description = "Interlocked.Increment")]
    public long Increment() => Interlocked.Increment(ref _counter);

    [Benchmark(Description = "CompareExchange loop on a double")]
    public double AddDouble()
    {
        while (true)
        {
            double current = Volatile.Read(ref _cost);
            if (Interlocked.CompareExchange(ref _cost, current + 1, current) == current)
            {
                return current;
            }
        }
    }

    [Benchmark(Description = "lock (Lock) { }")]
    public long LockEnterExit()
    {
        lock (_lock)
        {
            return ++_counter;
        }
    }

    [Benchmark(Description = "ConcurrentDictionary<BucketKey,_>.TryGetValue")]
    public object? DictionaryLookup() => _buckets.TryGetValue(new BucketKey("acme", "search"), out object? value) ? value : null;

    [Benchmark(Description = "FrozenDictionary<string,_>.TryGetValue")]
    public object? FrozenLookup() => _frozen.TryGetValue("acme", out object? value) ? value : null;

    [Benchmark(Description = "QuotaAuditRecord copied into a ring slot")]
    public int RingWrite()
    {
        int slot = _slot = (_slot + 1) & 1023;
        _ring[slot] = _record;
        return slot;
    }
}
