using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Stores;

public class ConcurrencyTests
{
    [Fact]
    public void Many_threads_on_one_bucket_never_take_more_than_capacity_plus_refill()
    {
        const int Capacity = 500;
        const int RefillPerSecond = 1000;         // 10,000 ticks per unit: every cost is exact in ticks
        const int Workers = 4, OpsPerWorker = 30_000;
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(Capacity, RefillPerSecond), time,
            o => o.AuditSink = new Audit.InMemoryAuditSink(capacity: 1));
        var identity = new AgentIdentity("acme", "load");
        var tool = new QuotaTool("search_kb", "search");

        long admittedCost = 0, admitted = 0, denied = 0, samples = 0, violations = 0;
        int running = Workers;
        var workers = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            var random = new Random(w);
            for (int i = 0; i < OpsPerWorker; i++)
            {
                int cost = random.Next(2) == 0 ? 1 : 3;
                if (gate.TryAcquire(new QuotaRequest(identity, tool, cost)).IsAdmitted)
                {
                    Interlocked.Add(ref admittedCost, cost);
                    Interlocked.Increment(ref admitted);
                }
                else
                {
                    Interlocked.Increment(ref denied);
                }
            }

            Interlocked.Decrement(ref running);
        })).ToList();

        // The clock moves in 100 us steps while the workers run. Everything counted so far was admitted
        // at or before the current virtual time, so the bound must hold at every step.
        var clock = new Thread(() =>
        {
            while (Volatile.Read(ref running) > 0)
            {
                time.Advance(TimeSpan.FromTicks(1_000));
                double elapsed = time.Elapsed().TotalSeconds;
                long seen = Interlocked.Read(ref admittedCost);
                samples++;
                if (seen > Capacity + (RefillPerSecond * elapsed) + 1e-9)
                {
                    violations++;
                }

                Thread.Yield();
            }
        });

        workers.ForEach(t => t.Start());
        clock.Start();
        workers.ForEach(t => t.Join());
        clock.Join();

        double total = Capacity + (RefillPerSecond * time.Elapsed().TotalSeconds);
        Assert.Equal(Workers * OpsPerWorker, admitted + denied);
        Assert.Equal(0, violations);
        Assert.True(admittedCost <= total, $"admitted {admittedCost} > capacity + refill x elapsed = {total}");
        Assert.True(denied > 0, "the bucket was never exhausted: the test did not contend");
        Assert.True(samples > 0);

        // Nothing is lost either: what was taken plus what is left never exceeds what was supplied.
        double left = gate.Store.Peek(new BucketKey("acme", "search"), gate.Policy.Tiers["standard"].Categories["search"].Limits).Available;
        Assert.True(admittedCost + left <= total + 1e-6, $"taken {admittedCost} + left {left} > supplied {total}");
    }

    [Fact]
    public void Concurrent_calls_in_one_run_never_exceed_its_tool_call_and_cost_caps()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 1_000_000, refill: 1000), time,
            o => o.AuditSink = new Audit.InMemoryAuditSink(capacity: 1));
        var tool = new QuotaTool("t", "search");
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"), limits: new RunLimits { MaxToolCalls = 1_000, MaxCost = 1_500 });

        int admitted = 0;
        double cost = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            double c = i % 2 == 0 ? 1 : 2;
            if (run.Acquire(tool, c).IsAdmitted)
            {
                Interlocked.Increment(ref admitted);
                double current, next;
                do
                {
                    current = Volatile.Read(ref cost);
                    next = current + c;
                }
                while (Interlocked.CompareExchange(ref cost, next, current) != current);
            }
        });

        Assert.True(admitted <= 1_000);
        Assert.True(cost <= 1_500);
        Assert.Equal(admitted, run.ToolCalls);
        Assert.Equal(cost, run.CostSpent);
        Assert.True(admitted >= 750, $"only {admitted} admitted: caps were enforced too early"); // at least 1500/2
    }

    [Fact]
    public void Concurrent_spenders_never_exceed_the_daily_ceiling()
    {
        var time = TestTime.Create();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1_000_000, refill: 1000, limits: """{ "maxCostPerDay": 5000 }""");
        using QuotaGate gate = TestPolicies.Gate(policy, time, o => o.AuditSink = new Audit.InMemoryAuditSink(capacity: 1));
        var tool = new QuotaTool("t", "search");

        long spent = 0;
        Parallel.For(0, 4, w =>
        {
            var identity = new AgentIdentity("acme", "worker-" + w);
            for (int i = 0; i < 2_000; i++)
            {
                if (gate.TryAcquire(new QuotaRequest(identity, tool, 7)).IsAdmitted)
                {
                    Interlocked.Add(ref spent, 7);
                }
            }
        });

        Assert.InRange(spent, 5000 - 6, 5000);
        Assert.Equal(spent, gate.Store.GetSpend("acme").Today);
    }
}
