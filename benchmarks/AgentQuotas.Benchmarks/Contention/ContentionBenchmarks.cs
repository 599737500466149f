using System.Threading.RateLimiting;
using AgentQuotas.Audit;
using AgentQuotas.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace AgentQuotas.Benchmarks.Contention;

/// <summary>
/// Benchmark 3: 1, 2 and 8 threads acquiring (run.Acquire + ticket.Complete, two audit records) on one
/// tenant's bucket or each on its own tenant's; the same threads on a shared TokenBucketRateLimiter (one
/// per thread for distinct tenants) as the baseline. Each invocation runs 96,000 calls split evenly
/// over the threads; the reported time is per call, so throughput is 1 / time and a workload that
/// scales shows a smaller time with more threads (this machine has 2 cores).
/// </summary>
public class ContentionBenchmarks
{
    private const int Calls = 96_000;
    private readonly QuotaTool _tool = new("ContentionTool", "search");
    private QuotaGate _gate = null!;
    private TokenBucketRateLimiter[] _limiters = null!;
    private Thread[] _workers = null!;
    private Barrier _start = null!;
    private Barrier _end = null!;
    private volatile bool _useLimiter;
    private volatile bool _stop;

    [Params(1, 2, 8)]
    public int Threads { get; set; }

    [Params(Tenancy.OneTenant, Tenancy.DistinctTenants)]
    public Tenancy Tenants { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gate = new QuotaGate(BenchPolicies.Unbounded("search"), new QuotaGateOptions { AuditSink = CreateAuditSink() });
        _limiters = Enumerable.Range(0, Tenants == Tenancy.OneTenant ? 1 : Threads).Select(_ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        })).ToArray();
        _start = new Barrier(Threads + 1);
        _end = new Barrier(Threads + 1);
        _workers = Enumerable.Range(0, Threads).Select(w => new Thread(() => Work(w)) { IsBackground = true, Name = "contention-" + w }).ToArray();
        foreach (Thread worker in _workers)
        {
            worker.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _start.SignalAndWait();
        foreach (Thread worker in _workers)
        {
            worker.Join();
        }

        _gate.Dispose();
        foreach (TokenBucketRateLimiter limiter in _limiters)
        {
            limiter.Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "TokenBucketRateLimiter.AttemptAcquire + dispose")]
    public void Limiter() => RunAll(limiter: true);

    [Benchmark(OperationsPerInvoke = Calls, Description = "run.Acquire + ticket.Complete")]
    public void Guard() => RunAll(limiter: false);

    private void RunAll(bool limiter)
    {
        _useLimiter = limiter;
        _start.SignalAndWait();
        _end.SignalAndWait();
    }

    private void Work(int worker)
    {
        // Each worker has its own run (on its own thread), of the shared tenant or of its own.
        string tenant = Tenants == Tenancy.OneTenant ? "acme" : "tenant-" + worker;
        using AgentRun run = _gate.BeginRun(new AgentIdentity(tenant, "worker-" + worker));
        TokenBucketRateLimiter limiter = _limiters[Tenants == Tenancy.OneTenant ? 0 : worker];
        int calls = Calls / Threads;
        while (true)
        {
            _start.SignalAndWait();
            if (_stop)
            {
                return;
            }

            if (_useLimiter)
            {
                for (int i = 0; i < calls; i++)
                {
                    using RateLimitLease lease = limiter.AttemptAcquire(1);
                }
            }
            else
            {
                for (int i = 0; i < calls; i++)
                {
                    QuotaTicket ticket = run.Acquire(_tool, 1);
                    ticket.Complete();
                }
            }

            _end.SignalAndWait();
        }
    }

    /// <summary>The gate's audit sink: null for the default in-memory ring.</summary>
    protected virtual IQuotaAuditSink? CreateAuditSink() => null;

    public enum Tenancy
    {
        OneTenant,
        DistinctTenants,
    }
}

/// <summary>
/// Benchmark 3, diagnostic variant: the same workload with a sink that accepts and discards every record,
/// to show what the shared audit ring costs when threads of distinct tenants run side by side. Not a
/// configuration to run in production (decisions must be audited).
/// </summary>
public class ContentionDiscardingAuditBenchmarks : ContentionBenchmarks
{
    protected override IQuotaAuditSink? CreateAuditSink() => new DiscardingSink();

    private sealed class DiscardingSink : IQuotaAuditSink
    {
        public long DroppedCount => 0;

        public bool TryWrite(in QuotaAuditRecord record) => true;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}

/// <summary>
/// Benchmark 3, comparison variant (issue 18 item 2): the same workload with one shared audit ring
/// (<c>new InMemoryAuditSink()</c>, the gate's default sink before the striped one), so the striped default and
/// the single ring are measured side by side in one run.
/// </summary>
public class ContentionSingleRingAuditBenchmarks : ContentionBenchmarks
{
    protected override IQuotaAuditSink? CreateAuditSink() => new InMemoryAuditSink();
}
