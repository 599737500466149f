using AgentQuotas.Policy;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Scheduling;

public class ReservedShareTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");

    private static QuotaRequest Request(double cost, WorkloadClass c) => new(Acme, Search, cost, c);

    [Fact]
    public void Batch_completes_under_sustained_Critical_load_through_its_reserved_share()
    {
        QuotaPolicy shares = TestPolicies.Simple(capacity: 10, refill: 10, extra: "\"classes\": { \"Batch\": { \"reservedShare\": 0.1 } }");
        (double critical, double batch) = Saturate(shares, seconds: 20);

        // Batch gets at least its share of the 10 units/s refill (one request of slack), Critical the rest.
        Assert.True(batch >= (0.1 * 10 * 20) - 1, $"Batch got {batch} units in 20 s, less than its 10% share");
        Assert.True(critical >= (0.85 * 10 * 20), $"Critical got {critical} units");

        // Without a reserved share strict priority starves Batch (aging stops short of Critical).
        QuotaPolicy strict = TestPolicies.Simple(capacity: 10, refill: 10, extra: "\"aging\": { \"promoteAfter\": \"00:00:01\" }");
        (_, double starved) = Saturate(strict, seconds: 20);
        Assert.Equal(0, starved);
    }

    [Fact]
    public void A_share_guarantees_a_rate_not_more_when_the_class_is_alone_with_a_higher_one()
    {
        // Batch within its share is served first, but only at its share's pace: Critical still gets the rest.
        QuotaPolicy policy = TestPolicies.Simple(capacity: 10, refill: 10, extra: "\"classes\": { \"Batch\": { \"reservedShare\": 0.3 } }");
        (double critical, double batch) = Saturate(policy, seconds: 30);
        double total = critical + batch;
        Assert.InRange(batch / total, 0.28, 0.36);
    }

    [Fact]
    public void Other_classes_cannot_take_a_Critical_reserve()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 100, refill: 10, extra: "\"classes\": { \"Critical\": { \"reservedShare\": 0.2 } }");
        var time = TestTime.Create();
        using QuotaGate gate = PriorityQueueTests.Gate(policy, time);

        Assert.True(gate.TryAcquire(Request(70, WorkloadClass.Batch)).IsAdmitted);    // leaves 30 >= the 20 reserved
        QuotaDecision batch = gate.TryAcquire(Request(15, WorkloadClass.Batch));      // would leave 15 < 20
        Assert.False(batch.IsAdmitted);
        Assert.Equal(QuotaReason.BucketExhausted, batch.Reason);
        Assert.Equal(TimeSpan.FromSeconds(0.5), batch.RetryAfter);
        Assert.Contains("reserved for other classes", batch.Detail);

        Assert.True(gate.TryAcquire(Request(20, WorkloadClass.Critical)).IsAdmitted);  // its reserve was waiting for it
        Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Critical)).IsAdmitted);  // and beyond it, what is spare

        // The spent reserve refills at 20% of the rate before others may dig into it again.
        time.Advance(TimeSpan.FromSeconds(1));                                          // 10 units back; reserve 2
        Assert.True(gate.TryAcquire(Request(8, WorkloadClass.Batch)).IsAdmitted);
        Assert.False(gate.TryAcquire(Request(1, WorkloadClass.Batch)).IsAdmitted);
    }

    [Fact]
    public void An_emergency_class_may_borrow_past_other_reserves()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 100, refill: 10, emergency: """{ "classes": ["High"] }""",
            extra: "\"classes\": { \"Critical\": { \"reservedShare\": 0.2 } }");
        using QuotaGate gate = PriorityQueueTests.Gate(policy, TestTime.Create());
        Assert.True(gate.TryAcquire(Request(95, WorkloadClass.High)).IsAdmitted);
        Assert.False(gate.TryAcquire(Request(95, WorkloadClass.Standard)).IsAdmitted);
    }

    [Fact]
    public async Task A_waiter_held_back_by_another_reserve_is_served_once_refill_covers_it_whatever_the_tick_rounding()
    {
        // At 12 units/s a unit is 833,333.3 ticks, so the store rounds each take of 20 up and each give-back down. A
        // waiter the pump had to give back used to lose a tick per retry while its timer waited one tick of refill,
        // so it never caught up: the pump re-armed its timer a tick ahead forever.
        QuotaPolicy policy = TestPolicies.Simple(capacity: 400, refill: 12, extra: "\"classes\": { \"Critical\": { \"reservedShare\": 0.2 } }");
        var time = new TimerCountingTimeProvider();
        using QuotaGate gate = PriorityQueueTests.Gate(policy, time);
        for (int i = 0; i < 15; i++)
        {
            Assert.True(gate.TryAcquire(Request(20, WorkloadClass.Batch)).IsAdmitted); // 300 taken, a few ticks over
        }

        // Another 20 would leave a few ticks less than Critical's 80 reserved units: it has to wait for refill.
        ValueTask<QuotaDecision> waiting = gate.AcquireAsync(Request(20, WorkloadClass.Batch));
        Assert.False(waiting.IsCompleted);

        int firings = CountFirings(time, TimeSpan.FromMilliseconds(1));
        Assert.True(waiting.IsCompleted, $"The waiter was not served within 1 ms of refill ({firings} timer firings).");
        QuotaDecision served = await waiting;
        Assert.True(served.IsAdmitted);
        Assert.True(firings < 10, $"The queue's timer fired {firings} times for one waiter.");
    }

    private static int CountFirings(TimerCountingTimeProvider time, TimeSpan span)
    {
        // Advance tick by tick would be slow; advance in one step and count the timer firings it takes.
        int before = time.Firings;
        time.Advance(span);
        return time.Firings - before;
    }

    // Keeps 20 Critical and 20 Batch requests (1 unit each) queued on an emptied bucket for the given time
    // and returns the units each class was served.
    private static (double Critical, double Batch) Saturate(QuotaPolicy policy, int seconds)
    {
        var time = TestTime.Create();
        using QuotaGate gate = PriorityQueueTests.Gate(policy, time);
        using var stop = new CancellationTokenSource();
        double[] served = new double[4];
        Assert.True(gate.TryAcquire(Request(10, WorkloadClass.Standard)).IsAdmitted);
        var loops = new List<Task>();
        for (int i = 0; i < 20; i++)
        {
            loops.Add(Keep(WorkloadClass.Critical));
            loops.Add(Keep(WorkloadClass.Batch));
        }

        for (int step = 0; step < seconds * 10; step++)
        {
            time.Advance(TimeSpan.FromSeconds(0.1));
        }

        stop.Cancel();
        Assert.All(loops, l => Assert.True(l.IsCompleted));
        Assert.Equal(0, gate.QueuedCount);
        return (served[0], served[3]);

        async Task Keep(WorkloadClass c)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    QuotaDecision d = await gate.AcquireAsync(Request(1, c), stop.Token).ConfigureAwait(false);
                    Assert.True(d.IsAdmitted, d.ToString());
                    served[(int)c] += 1;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
