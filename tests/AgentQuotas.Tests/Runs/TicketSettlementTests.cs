using AgentQuotas.Audit;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Runs;

/// <summary>A ticket settles exactly once: a second Complete or Fail, on the ticket or any copy of it, changes nothing and says so.</summary>
public sealed class TicketSettlementTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;

    public TicketSettlementTests()
    {
        _gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 100, refill: 1), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    private double Level => _gate.Store.Peek(new BucketKey("acme", "search"), _gate.Policy.Tiers["standard"].Categories["search"].Limits).Available;

    [Fact]
    public void Completing_twice_refunds_once()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket t = run.Acquire(Search, 10);
        t.Complete();
        Assert.Equal(90, Level, 9);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => t.Complete(0));
        Assert.Contains("already", e.Message);
        Assert.Equal(90, Level, 9);                       // no refund of the 10 units
        Assert.Equal(10, run.CostSpent, 9);
        Assert.Single(_audit.Snapshot(), r => r.Decision == AuditDecision.Completed);
    }

    [Fact]
    public void A_copy_of_a_settled_ticket_cannot_settle_it_again()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket t = run.Acquire(Search, 10);
        QuotaTicket copy = t;
        t.Complete(actualCost: 4);
        Assert.Equal(96, Level, 9);

        Assert.Throws<InvalidOperationException>(() => copy.Complete(0));
        Assert.Throws<InvalidOperationException>(() => copy.Fail());
        Assert.Equal(96, Level, 9);
        Assert.Equal(4, run.CostSpent, 9);
    }

    [Fact]
    public void Fail_then_Complete_settles_once_and_the_breaker_counts_one_failure()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket t = run.Acquire(Search, 10);
        t.Fail(new TimeoutException());
        Assert.Throws<InvalidOperationException>(() => t.Complete(0));
        Assert.Throws<InvalidOperationException>(() => t.Fail());
        Assert.Equal(90, Level, 9);
        Assert.True(_gate.CircuitBreakers.TryGet("search", out var breaker));
        Assert.Equal(1, breaker.ConsecutiveFailures);
        Assert.Single(_audit.Snapshot(), r => r.Decision == AuditDecision.Failed);
        Assert.DoesNotContain(_audit.Snapshot(), r => r.Decision == AuditDecision.Completed);
    }

    [Fact]
    public void An_invalid_actual_cost_is_refused_before_the_ticket_settles()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket t = run.Acquire(Search, 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Complete(double.NaN));
        t.Complete(2);                                     // still open: the valid completion counts
        Assert.Equal(98, Level, 9);
    }

    [Fact]
    public void Tickets_of_one_run_settle_independently()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket a = run.Acquire(Search, 10);
        a.Complete(0);
        QuotaTicket b = run.Acquire(Search, 10);           // may reuse what a used internally
        Assert.Throws<InvalidOperationException>(() => a.Complete(0));
        Assert.Equal(90, Level, 9);
        b.Complete(0);
        Assert.Equal(100, Level, 9);
    }
}
