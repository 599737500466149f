using System.Threading.RateLimiting;
using AgentQuotas.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;
using Polly.RateLimiting;

namespace AgentQuotas.Benchmarks.Hot;

/// <summary>
/// Benchmark 1: one admitted call through the generated guard, the same call unguarded, the same call behind a
/// hand-written <see cref="TokenBucketRateLimiter"/>, and the floor of an audited decision (<see cref="Floor"/>,
/// the baseline of each group). The "per-tenant decision" group puts the guard's decision next to the two peers
/// making the same per-tenant decision: a <see cref="PartitionedRateLimiter"/> with a token bucket per tenant,
/// and a Polly pipeline whose rate limiter strategy takes its lease from that kind of partitioned limiter.
/// The gate runs with its defaults: in-memory store, in-memory audit sink, breakers on, no meter listener.
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
    private RateLimiter _quotaLimiter = null!;
    private QuotaRequest _request;
    private readonly Floor _floor = new();
    private PartitionedRateLimiter<string> _partitioned = null!;
    private PartitionedRateLimiter<string> _pollyLimiter = null!;
    private ResiliencePipeline _polly = null!;
    private static readonly ResiliencePropertyKey<string> TenantKey = new("tenant");

    [GlobalSetup]
    public void Setup()
    {
        _gate = new QuotaGate(BenchPolicies.Unbounded("search"));
        _run = _gate.BeginRun(new AgentIdentity("acme", "bench"), WorkloadClass.Standard, "bench");
        _request = new QuotaRequest(new AgentIdentity("acme", "bench"), _tool, 1);
        _quotaLimiter = _gate.CreateRateLimiter(new AgentIdentity("acme", "bench"), "search");

        // Refilled to the brim every second: it never runs dry, so every call takes its admitted path.
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        });

        // The peers: a token bucket per tenant key, shaped like the gate's bucket (refilled continuously, never dry here).
        _partitioned = PerTenantLimiter();
        _pollyLimiter = PerTenantLimiter();
        _polly = new ResiliencePipelineBuilder()
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => _pollyLimiter.AcquireAsync(args.Context.Properties.GetValue(TenantKey, string.Empty), 1, args.Context.CancellationToken),
            })
            .Build();

        _floor.Enter();

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
        _quotaLimiter.Dispose();
        _partitioned.Dispose();
        _pollyLimiter.Dispose();
    }

    private static PartitionedRateLimiter<string> PerTenantLimiter() => PartitionedRateLimiter.Create<string, string>(tenant =>
        RateLimitPartition.GetTokenBucketLimiter(tenant, static _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        }));

    [Benchmark(Baseline = true, Description = "floor: AsyncLocal + clock + CAS + audit copy")]
    [BenchmarkCategory("sync")]
    public bool Sync_Floor() => _floor.Decide();

    [Benchmark(Baseline = true, Description = "floor: AsyncLocal + clock + CAS + audit copy")]
    [BenchmarkCategory("ValueTask<T>")]
    public bool ValueTask_Floor() => _floor.Decide();

    [Benchmark(Baseline = true, Description = "floor: AsyncLocal + clock + CAS + audit copy")]
    [BenchmarkCategory("Task<T>")]
    public bool Task_Floor() => _floor.Decide();

    // The same per-tenant decision, admitted, by the guard and by two peers (none of which audits).
    [Benchmark(Baseline = true, Description = "floor: AsyncLocal + clock + CAS + audit copy")]
    [BenchmarkCategory("per-tenant decision")]
    public bool Decision_Floor() => _floor.Decide();

    [Benchmark(Description = "PartitionedRateLimiter (token bucket per tenant) AttemptAcquire + dispose")]
    [BenchmarkCategory("per-tenant decision")]
    public bool Decision_Partitioned()
    {
        using RateLimitLease lease = _partitioned.AttemptAcquire("acme", 1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "Polly.Core pipeline, rate limiter strategy per tenant, Execute")]
    [BenchmarkCategory("per-tenant decision")]
    public bool Decision_Polly()
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(TenantKey, "acme");
        bool admitted = _polly.Execute(static (_, tools) => tools.AddPlain(1, 2) == 3, context, _tools);
        ResilienceContextPool.Shared.Return(context);
        return admitted;
    }

    [Benchmark(Description = "generated guarded call (audited)")]
    [BenchmarkCategory("per-tenant decision")]
    public bool Decision_Guarded() => _tools.Add(1, 2) == 3;

    [Benchmark(Description = "unguarded call")]
    [BenchmarkCategory("sync")]
    public int Sync_Unguarded() => _tools.AddPlain(1, 2);

    [Benchmark(Description = "TokenBucketRateLimiter.AttemptAcquire + call + dispose")]
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

    [Benchmark(Description = "TokenBucketRateLimiter.AcquireAsync + call + dispose")]
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

    [Benchmark(Description = "TokenBucketRateLimiter.AcquireAsync + call + dispose")]
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

    [Benchmark(Description = "gate.CreateRateLimiter(...).AttemptAcquire + dispose (no run, one audit record)")]
    [BenchmarkCategory("parts")]
    public bool Parts_QuotaRateLimiter()
    {
        using RateLimitLease lease = _quotaLimiter.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "run.Acquire + ticket.Complete (two audit records)")]
    [BenchmarkCategory("parts")]
    public bool Parts_RunAcquireComplete()
    {
        QuotaTicket ticket = _run.Acquire(_tool, 1);
        ticket.Complete();
        return ticket.IsAdmitted;
    }
}
