using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Scheduling;

public class ComputePoolTests
{
    private static readonly QuotaTool Search = new("search_kb", "search");
    private const string Pools = """
        "pools": {
          "interactive": { "concurrency": 1, "classes": ["Critical", "High"] },
          "shared": { "concurrency": 1 }
        }
        """;

    private readonly FakeTimeProvider _time = TestTime.Create();

    private QuotaGate Gate(string pools = Pools, string? extra = null) =>
        PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 1000, refill: 100, extra: pools + (extra is null ? "" : ", " + extra)), _time);

    private static int InUse(QuotaGate gate, string pool) => gate.GetPoolStatistics().Single(p => p.Name == pool).InUse;

    [Fact]
    public void Reserved_pools_serve_only_their_classes_and_shared_pools_serve_all()
    {
        using QuotaGate gate = Gate();
        using AgentRun batch = gate.BeginRun(new AgentIdentity("acme", "b"), WorkloadClass.Batch);
        QuotaTicket first = batch.Acquire(Search, 1);
        Assert.True(first.IsAdmitted);
        Assert.Equal(1, InUse(gate, "shared"));

        QuotaTicket second = batch.Acquire(Search, 1);           // the interactive pool does not serve Batch
        Assert.Equal(QuotaReason.PoolExhausted, second.Decision.Reason);
        Assert.Contains("'shared' 1/1", second.Decision.Detail);
        Assert.Equal(0, InUse(gate, "interactive"));
        Assert.Equal(1000 - 1, Left(gate, "acme"), 9);          // the refused call's units were given back
        Assert.Equal(1, batch.ToolCalls);

        using AgentRun high = gate.BeginRun(new AgentIdentity("acme", "h"), WorkloadClass.High);
        QuotaTicket interactive = high.Acquire(Search, 1);       // reserved pool first
        Assert.True(interactive.IsAdmitted);
        Assert.Equal(1, InUse(gate, "interactive"));
        Assert.False(high.Acquire(Search, 1).IsAdmitted);         // both pools full

        first.Complete();
        Assert.True(high.Acquire(Search, 1).IsAdmitted);          // High may use the shared pool too
        Assert.Equal(1, InUse(gate, "shared"));
    }

    [Fact]
    public void Leases_are_released_on_completion_and_failure_exactly_once()
    {
        using QuotaGate gate = Gate("\"pools\": { \"shared\": { \"concurrency\": 2 } }");
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        QuotaTicket a = run.Acquire(Search, 1);
        QuotaTicket b = run.Acquire(Search, 1);
        Assert.Equal(2, InUse(gate, "shared"));
        QuotaTicket copy = a;
        a.Complete();
        Assert.Throws<InvalidOperationException>(() => copy.Complete()); // a copy settles nothing again, nor frees someone else's slot
        Assert.Equal(1, InUse(gate, "shared"));
        QuotaTicket c = run.Acquire(Search, 1);
        Assert.True(c.IsAdmitted);
        Assert.False(run.Acquire(Search, 1).IsAdmitted);
        b.Fail(new TimeoutException());
        c.Fail();
        Assert.Equal(0, InUse(gate, "shared"));
    }

    [Fact]
    public async Task A_call_waits_for_a_slot_and_is_served_when_one_is_released()
    {
        using QuotaGate gate = Gate("\"pools\": { \"shared\": { \"concurrency\": 1 } }");
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        QuotaTicket holder = run.Acquire(Search, 1);
        ValueTask<QuotaTicket> waiting = run.AcquireAsync(Search, 1);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, gate.QueuedCount);

        _time.Advance(TimeSpan.FromSeconds(3));
        holder.Complete();
        QuotaTicket served = await waiting;
        Assert.True(served.IsAdmitted);
        Assert.Equal(DegradationMode.Queued, served.Mode);
        Assert.Contains("pool 'shared'", served.Decision.Detail);
        Assert.Equal(1, InUse(gate, "shared"));
        served.Complete();
        Assert.Equal(0, InUse(gate, "shared"));
    }

    [Fact]
    public async Task Cancelling_a_pool_wait_gives_the_units_back()
    {
        using QuotaGate gate = Gate("\"pools\": { \"shared\": { \"concurrency\": 1 } }");
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        QuotaTicket holder = run.Acquire(Search, 5);
        using var cts = new CancellationTokenSource();
        ValueTask<QuotaTicket> waiting = run.AcquireAsync(Search, 7, cts.Token);
        Assert.Equal(1000 - 12, Left(gate, "acme"), 9);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        Assert.Equal(1000 - 5, Left(gate, "acme"), 9);
        Assert.Equal(1, run.ToolCalls);
        Assert.Equal(0, gate.QueuedCount);
        holder.Complete();
        Assert.Equal(0, InUse(gate, "shared"));
    }

    [Fact]
    public async Task A_freed_slot_goes_to_the_tenant_with_the_fewest_calls_running()
    {
        using QuotaGate gate = Gate("\"pools\": { \"shared\": { \"concurrency\": 2 } }");
        using AgentRun a = Open(gate, "a");
        using AgentRun b = Open(gate, "b");
        QuotaTicket a1 = a.Acquire(Search, 1);
        QuotaTicket a2 = a.Acquire(Search, 1);
        var order = new List<string>();
        var waits = new List<Task>
        {
            PriorityQueueTests.Track(a.AcquireAsync(Search, 1), "a3", order),
            PriorityQueueTests.Track(a.AcquireAsync(Search, 1), "a4", order),
        };
        waits.Add(PriorityQueueTests.Track(b.AcquireAsync(Search, 1), "b1", order)); // arrives last

        a1.Complete();            // a has 1 running, b none: b is served first
        Assert.Equal(["b1"], order);
        a2.Complete();
        Assert.Equal(["b1", "a3"], order);
        await Task.WhenAll(waits.Where(t => t.IsCompleted));
        Assert.Equal(1, gate.QueuedCount);       // a4 still waits
    }

    [Fact]
    public async Task A_pool_wait_past_the_class_maximum_times_out_and_gives_the_units_back()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 100, refill: 0.5,
            extra: "\"pools\": { \"shared\": { \"concurrency\": 1 } }, \"classes\": { \"Standard\": { \"maxQueueWait\": \"00:00:02\" } }");
        using QuotaGate gate = PriorityQueueTests.Gate(policy, _time);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        QuotaTicket holder = run.Acquire(Search, 10);
        ValueTask<QuotaTicket> waiting = run.AcquireAsync(Search, 3);
        _time.Advance(TimeSpan.FromSeconds(2));
        QuotaTicket timedOut = await waiting;
        Assert.Equal(QuotaReason.QueueTimeout, timedOut.Decision.Reason);
        Assert.Contains("compute-pool slot", timedOut.Decision.Detail);
        Assert.Equal(100 - 10 + 1, Left(gate, "acme"), 9);      // 1 unit refilled; the 3 taken for the wait were returned
        Assert.Equal(1, run.ToolCalls);
        holder.Complete();
    }

    [Fact]
    public void A_class_no_pool_serves_is_refused_with_the_reason()
    {
        using QuotaGate gate = Gate("\"pools\": { \"interactive\": { \"concurrency\": 4, \"classes\": [\"Critical\"] } }");
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"), WorkloadClass.Batch);
        QuotaTicket refused = run.Acquire(Search, 1);
        Assert.Equal(QuotaReason.PoolExhausted, refused.Decision.Reason);
        Assert.Contains("No compute pool serves the Batch class", refused.Decision.Detail);
    }

    // A run of another tenant, opened outside the current run's async flow.
    private static AgentRun Open(QuotaGate gate, string tenant)
    {
        AgentRun? run = null;
        using (ExecutionContext.SuppressFlow())
        {
            var thread = new Thread(() => run = gate.BeginRun(new AgentIdentity(tenant, "u")));
            thread.Start();
            thread.Join();
        }

        return run!;
    }

    private static double Left(QuotaGate gate, string tenant) =>
        gate.Store.Peek(new BucketKey(tenant, "search"), gate.Policy.Tiers["standard"].Categories["search"].Limits).Available;
}
