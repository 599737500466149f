using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Scheduling;

public class PriorityQueueTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();


    private static QuotaRequest Request(double cost, WorkloadClass c) => new(Acme, Search, cost, c);

    // Queue grants complete inline on the thread that advances the clock, so each step's effects are
    // visible as soon as Advance returns (production completes them on the thread pool).
    // The test thread leaves xUnit's synchronization context so the callers' continuations run inline too.
    internal static QuotaGate Gate(QuotaPolicy policy, FakeTimeProvider time, Action<QuotaGateOptions>? configure = null)
    {
        SynchronizationContext.SetSynchronizationContext(null);
        return TestPolicies.Gate(policy, time, o =>
        {
            o.InlineQueueCompletions = true;
            configure?.Invoke(o);
        });
    }

    private static double Available(QuotaGate gate) =>
        gate.Store.Peek(new BucketKey("acme", "search"), gate.Policy.Tiers["standard"].Categories["search"].Limits).Available;

    [Fact]
    public async Task An_exhausted_bucket_queues_an_async_call_and_serves_it_on_refill()
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = Gate(TestPolicies.Simple(capacity: 10, refill: 1), _time, o => o.AuditSink = audit);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 10).IsAdmitted);

        ValueTask<QuotaTicket> pending = run.AcquireAsync(Search, 2);
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, gate.GetQueuedCount("acme", "search"));
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.5));
        QuotaTicket ticket = await pending;

        Assert.True(ticket.IsAdmitted);
        Assert.Equal(DegradationMode.Queued, ticket.Mode);
        Assert.Contains("Served after waiting 2 s in the Standard queue", ticket.Decision.Detail);
        Assert.Equal(0, gate.GetQueuedCount("acme", "search"));
        QuotaAuditRecord queued = Assert.Single(audit.Snapshot(), r => r.Decision == AuditDecision.Queued);
        Assert.Equal(QuotaReason.BucketExhausted, queued.Reason);
        QuotaAuditRecord admitted = audit.Snapshot().Last(r => r.Decision == AuditDecision.Admitted);
        Assert.Equal(DegradationMode.Queued, admitted.Mode);
        Assert.Equal(TimeSpan.FromSeconds(2), admitted.QueueWait);
        Assert.Equal(0, Available(gate), 9);
    }

    [Fact]
    public async Task Waiters_are_served_most_urgent_class_first_then_in_arrival_order()
    {
        using QuotaGate gate = Gate(TestPolicies.Simple(capacity: 1, refill: 1), _time);
        Assert.True(gate.TryAcquire(Request(1, WorkloadClass.Standard)).IsAdmitted);
        var order = new List<string>();
        var pending = new List<Task>();
        foreach ((string name, WorkloadClass c) in new[]
        {
            ("batch", WorkloadClass.Batch), ("standard-1", WorkloadClass.Standard), ("high", WorkloadClass.High),
            ("standard-2", WorkloadClass.Standard), ("critical", WorkloadClass.Critical),
        })
        {
            pending.Add(Track(gate.AcquireAsync(Request(1, c)), name, order));
        }

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(i, order.Count);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await Task.WhenAll(pending);
        Assert.Equal(["critical", "high", "standard-1", "standard-2", "batch"], order);
    }

    [Fact]
    public async Task Aging_promotes_a_long_waiting_request_one_class_per_promoteAfter()
    {
        // The bucket holds 10 and is empty. A Batch call for 10 waits; a Standard call for 10 arrives later.
        // Units for one call are there at 10 / refill seconds. After one promoteAfter (5 s) the Batch call
        // counts as Standard but ranks behind genuine Standard work; after two it counts as High and goes
        // before a Standard call that has not aged as far.
        string aging = "\"aging\": { \"promoteAfter\": \"00:00:05\" }";
        Assert.Equal(["standard", "batch"], await RaceAsync(TestPolicies.Simple(capacity: 10, refill: 1.25, extra: aging), 6));  // at 8 s: one step
        Assert.Equal(["batch", "standard"], await RaceAsync(TestPolicies.Simple(capacity: 10, refill: 0.5, extra: aging), 18));  // at 20 s: two steps

        // A Standard call that has aged as far wins the tie: it was more urgent to begin with.
        Assert.Equal(["standard", "batch"], await RaceAsync(TestPolicies.Simple(capacity: 10, refill: 0.5, extra: aging), 6));

        // Without aging the Standard call overtakes it however long it waited.
        Assert.Equal(["standard", "batch"], await RaceAsync(TestPolicies.Simple(capacity: 10, refill: 0.5), 18));

        async Task<List<string>> RaceAsync(QuotaPolicy policy, double standardAfter)
        {
            var time = TestTime.Create();
            using QuotaGate gate = Gate(policy, time);
            Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Standard)).IsAdmitted);
            var order = new List<string>();
            Task batch = Track(gate.AcquireAsync(Request(10, WorkloadClass.Batch)), "batch", order);
            time.Advance(TimeSpan.FromSeconds(standardAfter));
            Task standard = Track(gate.AcquireAsync(Request(10, WorkloadClass.Standard)), "standard", order);
            for (int i = 0; i < 40 && order.Count < 2; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }

            await Task.WhenAll(batch, standard);
            return order;
        }
    }

    [Fact]
    public async Task Aging_never_promotes_into_Critical()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 10, refill: 1, extra: "\"aging\": { \"promoteAfter\": \"00:00:01\" }");
        using QuotaGate gate = Gate(policy, _time);
        Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Standard)).IsAdmitted);
        var order = new List<string>();
        Task batch = Track(gate.AcquireAsync(Request(10, WorkloadClass.Batch)), "batch", order);
        _time.Advance(TimeSpan.FromSeconds(9)); // aged nine steps: as far as High, no further
        Task critical = Track(gate.AcquireAsync(Request(10, WorkloadClass.Critical)), "critical", order);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(order);
        _time.Advance(TimeSpan.FromSeconds(10));
        await Task.WhenAll(batch, critical);
        Assert.Equal(["critical", "batch"], order);
    }

    [Fact]
    public async Task A_more_urgent_arrival_overtakes_a_waiting_head_but_nobody_barges_past_the_head()
    {
        using QuotaGate gate = Gate(TestPolicies.Simple(capacity: 10, refill: 1), _time);
        Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Standard)).IsAdmitted);
        var order = new List<string>();
        Task big = Track(gate.AcquireAsync(Request(5, WorkloadClass.Standard)), "big-standard", order);
        _time.Advance(TimeSpan.FromSeconds(2));

        // A small Batch call could be served from the 2 units there, but the Standard head is served first.
        QuotaDecision small = gate.TryAcquire(Request(1, WorkloadClass.Batch));
        Assert.False(small.IsAdmitted);
        Assert.Equal(QuotaReason.BucketExhausted, small.Reason);
        Assert.Contains("would be served first", small.Detail);
        Assert.Equal(TimeSpan.FromSeconds(4), small.RetryAfter); // 5 for the head + 1 for itself - 2 there

        // A High call overtakes the Standard head.
        Task high = Track(gate.AcquireAsync(Request(2, WorkloadClass.High)), "high", order);
        Assert.Single(order);
        Assert.Equal(["high"], order);
        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.WhenAll(big, high);
        Assert.Equal(["high", "big-standard"], order);
    }

    [Fact]
    public void The_synchronous_path_never_waits()
    {
        using QuotaGate gate = Gate(TestPolicies.Simple(capacity: 1, refill: 1), _time);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 1).IsAdmitted);
        QuotaTicket denied = run.Acquire(Search, 1);
        Assert.False(denied.IsAdmitted);
        Assert.Equal(DegradationMode.Rejected, denied.Mode);
        Assert.Equal(TimeSpan.FromSeconds(1), denied.Decision.RetryAfter);
        Assert.Equal(0, gate.QueuedCount);
    }

    [Fact]
    public async Task A_tool_with_a_fallback_takes_the_draft_rung_before_the_queue()
    {
        var draftable = new QuotaTool("search_kb", "search", hasFallback: true);
        using QuotaGate gate = Gate(TestPolicies.Simple(capacity: 1, refill: 1), _time);
        Assert.True(gate.TryAcquire(Request(1, WorkloadClass.Standard)).IsAdmitted);
        ValueTask<QuotaDecision> pending = gate.AcquireAsync(new QuotaRequest(Acme, draftable, 1));
        Assert.True(pending.IsCompleted);
        Assert.Equal(DegradationMode.DraftOnly, (await pending).Mode);
    }

    [Fact]
    public async Task A_ladder_without_Queued_denies_at_once()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1, refill: 1, extra: "\"degradation\": [\"Full\", \"DraftOnly\"]");
        using QuotaGate gate = Gate(policy, _time);
        Assert.True(gate.TryAcquire(Request(1, WorkloadClass.Standard)).IsAdmitted);
        ValueTask<QuotaDecision> pending = gate.AcquireAsync(Request(1, WorkloadClass.Standard));
        Assert.True(pending.IsCompleted);
        QuotaDecision denied = await pending;
        Assert.Equal(QuotaReason.BucketExhausted, denied.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), denied.RetryAfter);
    }

    [Fact]
    public async Task Cancelling_a_waiter_removes_it_cleanly_and_charges_nothing()
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = Gate(TestPolicies.Simple(capacity: 4, refill: 1), _time, o => o.AuditSink = audit);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 4).IsAdmitted);
        using var cts = new CancellationTokenSource();
        var order = new List<string>();
        ValueTask<QuotaTicket> first = run.AcquireAsync(Search, 2, cts.Token);
        Task second = Track(gate.AcquireAsync(Request(2, WorkloadClass.Standard)), "second", order);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, gate.GetQueuedCount("acme", "search"));

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first);
        Assert.Equal(1, gate.GetQueuedCount("acme", "search"));
        Assert.Equal(1, run.ToolCalls);                      // the reservation was released
        Assert.Equal(4, run.CostSpent, 9);
        QuotaAuditRecord cancelled = Assert.Single(audit.Snapshot(), r => r.Reason == QuotaReason.Cancelled);
        Assert.Equal(TimeSpan.FromSeconds(1), cancelled.QueueWait);

        // The next waiter moves up: it is served as soon as 2 units are there (t = 2 s), not after the cancelled one.
        _time.Advance(TimeSpan.FromSeconds(1));
        await second;
        Assert.Equal(["second"], order);
        Assert.Equal(0, Available(gate), 9);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(4, Available(gate), 9);                 // nothing leaked
    }

    [Fact]
    public async Task A_full_class_queue_is_refused_early_with_a_retry_estimate()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 2, refill: 1, extra: "\"classes\": { \"Standard\": { \"queueLimit\": 2 } }");
        using QuotaGate gate = Gate(policy, _time);
        Assert.True(gate.TryAcquire(Request(2, WorkloadClass.Standard)).IsAdmitted);
        ValueTask<QuotaDecision> a = gate.AcquireAsync(Request(2, WorkloadClass.Standard));
        ValueTask<QuotaDecision> b = gate.AcquireAsync(Request(2, WorkloadClass.Standard));
        Assert.False(a.IsCompleted || b.IsCompleted);

        ValueTask<QuotaDecision> c = gate.AcquireAsync(Request(2, WorkloadClass.Standard));
        Assert.True(c.IsCompleted);
        QuotaDecision full = await c;
        Assert.Equal(QuotaReason.QueueFull, full.Reason);
        Assert.Equal(TimeSpan.FromSeconds(6), full.RetryAfter);          // 2 + 2 ahead + its own 2 at 1 unit/s
        Assert.Contains("queueLimit 2", full.Detail);

        // Another class has its own line.
        Assert.False(gate.AcquireAsync(Request(2, WorkloadClass.High)).IsCompleted);
    }

    [Fact]
    public async Task A_wait_estimated_beyond_the_class_maximum_is_refused_without_queueing()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 10, refill: 1, extra: "\"classes\": { \"Batch\": { \"maxQueueWait\": \"00:00:05\" } }");
        using QuotaGate gate = Gate(policy, _time);
        Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Standard)).IsAdmitted);
        ValueTask<QuotaDecision> tooLong = gate.AcquireAsync(Request(6, WorkloadClass.Batch));
        Assert.True(tooLong.IsCompleted);
        QuotaDecision refused = await tooLong;
        Assert.Equal(QuotaReason.QueueTimeout, refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(6), refused.RetryAfter);
        Assert.Contains("refused without queueing", refused.Detail);
        Assert.Equal(0, gate.QueuedCount);

        Assert.False(gate.AcquireAsync(Request(4, WorkloadClass.Batch)).IsCompleted); // 4 s fits
    }

    [Fact]
    public async Task A_waiter_overtaken_past_its_maximum_wait_times_out()
    {
        var audit = new InMemoryAuditSink();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 10, refill: 1, extra: "\"classes\": { \"Batch\": { \"maxQueueWait\": \"00:00:03\" } }");
        using QuotaGate gate = Gate(policy, _time, o => o.AuditSink = audit);
        Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Standard)).IsAdmitted);
        ValueTask<QuotaDecision> batch = gate.AcquireAsync(Request(2, WorkloadClass.Batch));  // estimate 2 s: queued
        _time.Advance(TimeSpan.FromSeconds(0.5));
        ValueTask<QuotaDecision> critical = gate.AcquireAsync(Request(2, WorkloadClass.Critical));
        _time.Advance(TimeSpan.FromSeconds(2.5));
        QuotaDecision timedOut = await batch;
        Assert.True((await critical).IsAdmitted);

        Assert.Equal(QuotaReason.QueueTimeout, timedOut.Reason);
        Assert.NotNull(timedOut.RetryAfter);
        QuotaAuditRecord record = audit.Snapshot().Last(r => r.Reason == QuotaReason.QueueTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), record.QueueWait);
        Assert.Equal(0, gate.QueuedCount);
        Assert.Equal(1, Available(gate), 9);                 // the timed-out call took nothing
    }

    [Fact]
    public void The_retry_estimate_counts_the_queue_ahead()
    {
        using QuotaGate gate = Gate(TestPolicies.Simple(capacity: 10, refill: 2), _time);
        Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Standard)).IsAdmitted);
        for (int i = 0; i < 3; i++)
        {
            Assert.False(gate.AcquireAsync(Request(4, WorkloadClass.High)).IsCompleted);
        }

        QuotaDecision standard = gate.TryAcquire(Request(2, WorkloadClass.Standard));
        Assert.Equal(TimeSpan.FromSeconds(7), standard.RetryAfter);  // (12 ahead + 2) / 2 per second
        QuotaDecision critical = gate.TryAcquire(Request(2, WorkloadClass.Critical));
        Assert.Equal(TimeSpan.FromSeconds(1), critical.RetryAfter);  // nobody is ahead of Critical
    }

    [Fact]
    public async Task Disposing_the_gate_ends_every_wait()
    {
        QuotaGate gate = Gate(TestPolicies.Simple(capacity: 1, refill: 1), _time);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 1).IsAdmitted);
        ValueTask<QuotaTicket> waiting = run.AcquireAsync(Search, 1);
        Assert.False(waiting.IsCompleted);
        gate.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting);
        Assert.Equal(1, run.ToolCalls);
        Assert.Equal(0, gate.QueuedCount);
    }

    internal static async Task Track<T>(ValueTask<T> pending, string name, List<string> order)
    {
        T result = await pending.ConfigureAwait(false); // no sync context: record inline, during Advance
        bool admitted = result switch
        {
            QuotaDecision d => d.IsAdmitted,
            QuotaTicket t => t.IsAdmitted,
            _ => false,
        };
        lock (order)
        {
            order.Add(admitted ? name : name + " (denied)");
        }
    }
}
