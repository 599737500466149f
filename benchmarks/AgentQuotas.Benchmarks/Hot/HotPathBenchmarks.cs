using System.Threading.RateLimiting;
using AgentQuotas.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace AgentQuotas.Benchmarks.Hot;

/// <summary>
/// Benchmark 1: one admitted call through the generated guard, the same call unguarded, and the same
/// call behind a hand-written <see cref="TokenBucketRateLimiter"/> (the baseline of each group). The
/// gate runs with its defaults: in-memory store, in-memory audit ring, breakers on, no meter listener.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HotPathBenchmarks
{
    private readonly HotTools _tools = new();
    private readonly QuotaTool _tool = new("HotTools.Add", "search");
    private QuotaGate _gate = null!;
    private AgentRun _run = null!;
    private TokenBucketRateLimiter _limiter = null!;
    private QuotaRequest _request;

    [GlobalSetup]
    public void Setup()
    {
        _gate = new QuotaGate(BenchPolicies.Unbounded("search"));
        _run = _gate.BeginRun(new AgentIdentity("acme", "bench"), WorkloadClass.Standard, "bench");
        _request = new QuotaRequest(new AgentIdentity("acme", "bench"), _tool, 1);

        // Refilled to the brim every second: it never runs dry, so every call takes its admitted path.
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        });

        // The generated guard reads AgentRun.Current: setup and workload must share the flow.
        if (!ReferenceEquals(AgentRun.Current, _run) || _tools.Add(1, 2) != 3)
        {
            throw new InvalidOperationException("The run is not current on the benchmark thread.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _run.Dispose();
        _gate.Dispose();
        _limiter.Dispose();
    }

    [Benchmark(Description = "unguarded call")]
    [BenchmarkCategory("sync")]
    public int Sync_Unguarded() => _tools.AddPlain(1, 2);

    [Benchmark(Baseline = true, Description = "TokenBucketRateLimiter.AttemptAcquire + call + dispose")]
    [BenchmarkCategory("sync")]
    public int Sync_Limiter()
    {
        using RateLimitLease lease = _limiter.AttemptAcquire(1);
        return lease.IsAcquired ? _tools.AddPlain(1, 2) : -1;
    }

    [Benchmark(Description = "generated guarded call")]
    [BenchmarkCategory("sync")]
    public int Sync_Guarded() => _tools.Add(1, 2);

    [Benchmark(Description = "unguarded call")]
    [BenchmarkCategory("ValueTask<T>")]
    public int ValueTask_Unguarded() => _tools.CountPlainAsync(1).GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "TokenBucketRateLimiter.AcquireAsync + call + dispose")]
    [BenchmarkCategory("ValueTask<T>")]
    public int ValueTask_Limiter()
    {
        ValueTask<RateLimitLease> pending = _limiter.AcquireAsync(1);
        using RateLimitLease lease = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return lease.IsAcquired ? _tools.CountPlainAsync(1).GetAwaiter().GetResult() : -1;
    }

    [Benchmark(Description = "generated guarded call")]
    [BenchmarkCategory("ValueTask<T>")]
    public int ValueTask_Guarded() => _tools.CountAsync(1).GetAwaiter().GetResult();

    [Benchmark(Description = "unguarded call")]
    [BenchmarkCategory("Task<T>")]
    public string Task_Unguarded() => _tools.CachedPlainAsync().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "TokenBucketRateLimiter.AcquireAsync + call + dispose")]
    [BenchmarkCategory("Task<T>")]
    public string Task_Limiter()
    {
        ValueTask<RateLimitLease> pending = _limiter.AcquireAsync(1);
        using RateLimitLease lease = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return lease.IsAcquired ? _tools.CachedPlainAsync().GetAwaiter().GetResult() : string.Empty;
    }

    [Benchmark(Description = "generated guarded call")]
    [BenchmarkCategory("Task<T>")]
    public string Task_Guarded() => _tools.CachedAsync().GetAwaiter().GetResult();

    // Where the time goes: the gate's entry points without generated code.
    [Benchmark(Baseline = true, Description = "TokenBucketRateLimiter.AttemptAcquire + dispose")]
    [BenchmarkCategory("parts")]
    public bool Parts_Limiter()
    {
        using RateLimitLease lease = _limiter.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "gate.TryAcquire(QuotaRequest) (no run, one audit record)")]
    [BenchmarkCategory("parts")]
    public bool Parts_GateTryAcquire() => _gate.TryAcquire(_request).IsAdmitted;

    [Benchmark(Description = "run.Acquire + ticket.Complete (two audit records)")]
    [BenchmarkCategory("parts")]
    public bool Parts_RunAcquireComplete()
    {
        QuotaTicket ticket = _run.Acquire(_tool, 1);
        ticket.Complete();
        return ticket.IsAdmitted;
    }
}
