using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Scheduling;

/// <summary>
/// Units given back to a bucket (a refund on completion, a withdrawn call, a refused attempt's undo) reach the
/// bucket's waiters at once, not when the queue's timer next expects refill. Before the fix a waiter behind a
/// refund slept until that timer (here 40 s of a 60 s maximum wait), and on a virtual clock that never moved it
/// waited forever (it hung the approvals race test).
/// </summary>
public sealed class RefundWakesWaitersTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();

    [Fact]
    public async Task A_refund_on_completion_serves_a_waiter_without_the_clock_moving()
    {
        using QuotaGate gate = PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 4, refill: 0.1), _time);
        using AgentRun run = gate.BeginRun(Acme);
        QuotaTicket first = run.Acquire(Search, 4);
        Assert.True(first.IsAdmitted);

        ValueTask<QuotaTicket> waiting = run.AcquireAsync(Search, 4);   // 40 s of refill away: queued
        Assert.False(waiting.IsCompleted);

        first.Complete(actualCost: 0);                                  // all 4 units come back now
        Assert.True(waiting.IsCompleted, "the waiter was not served by the refund");
        QuotaTicket served = await waiting;
        Assert.True(served.IsAdmitted);
        Assert.Equal(0, gate.QueuedCount);
    }

    [Fact]
    public async Task A_withdrawn_call_gives_its_units_to_a_waiter_without_the_clock_moving()
    {
        using QuotaGate gate = PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 2, refill: 0.05), _time);
        using AgentRun run = gate.BeginRun(Acme);
        QuotaTicket first = run.Acquire(Search, 2);
        Assert.True(first.IsAdmitted);

        ValueTask<QuotaTicket> waiting = run.AcquireAsync(Search, 2);
        Assert.False(waiting.IsCompleted);

        first.Withdraw("the caller cancelled before the tool started");
        Assert.True(waiting.IsCompleted, "the waiter was not served by the withdrawal");
        QuotaTicket served = await waiting;
        Assert.True(served.IsAdmitted);
    }
}
