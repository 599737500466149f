using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Scheduling;

/// <summary>No request waits without a bound: a class without maxQueueWait gets the gate's default.</summary>
public sealed class QueueWaitBoundTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();

    [Fact]
    public async Task Without_maxQueueWait_a_wait_estimated_at_hours_is_refused_at_once()
    {
        using QuotaGate gate = PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 1, refill: 0.0001), _time);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 1).IsAdmitted);

        ValueTask<QuotaTicket> second = run.AcquireAsync(Search, 1);       // 2.8 h away: refused at once
        Assert.True(second.IsCompleted, "the call waits for hours");
        QuotaDecision d = (await second).Decision;
        Assert.Equal(QuotaReason.QueueTimeout, d.Reason);
        Assert.Equal(TimeSpan.FromSeconds(10_000), d.RetryAfter);
        Assert.Equal(0, gate.QueuedCount);

        string message = d.ToException().Message;
        Assert.Contains("refused without queueing", message);
        Assert.DoesNotContain("waited in the queue longer", message);
    }

    [Fact]
    public async Task A_wait_within_the_default_is_queued_and_a_waiter_never_waits_past_it()
    {
        using QuotaGate gate = PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 10, refill: 0.1), _time);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 10).IsAdmitted);

        ValueTask<QuotaTicket> queued = run.AcquireAsync(Search, 5);        // 50 s: within the default
        Assert.False(queued.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.True((await queued).IsAdmitted);

        // 4 more units are 40 s of refill away; behind another 5-unit waiter (50 s) they would be 90 s away: refused.
        ValueTask<QuotaTicket> next = run.AcquireAsync(Search, 5);
        Assert.False(next.IsCompleted);
        QuotaDecision refused = (await run.AcquireAsync(Search, 4)).Decision;
        Assert.Equal(QuotaReason.QueueTimeout, refused.Reason);
        Assert.Contains("maxQueueWait of 60 s", refused.Detail);
        Assert.Equal(TimeSpan.FromMinutes(1), ClassPolicy.DefaultMaxQueueWait);
        Assert.Equal(ClassPolicy.DefaultMaxQueueWait, gate.Policy.GetClass(WorkloadClass.Standard).EffectiveMaxQueueWait);

        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.True((await next).IsAdmitted);
    }
}
