using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Gate;

public class GateDecisionTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();

    [Fact]
    public void A_denial_says_what_to_do_and_when_to_retry()
    {
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 200, refill: 5, version: "2026-11-21.1"), _time);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 190).IsAdmitted);

        QuotaTicket ticket = run.Acquire(Search, 20);
        QuotaExceededException e = Assert.Throws<QuotaExceededException>(ticket.ThrowIfDenied);

        Assert.Equal(QuotaReason.BucketExhausted, e.Reason);
        Assert.Equal("search", e.Category);
        Assert.Equal("acme", e.Tenant);
        Assert.Equal("search_kb", e.Tool);
        Assert.Equal("2026-11-21.1", e.PolicyVersion);
        Assert.Equal(TimeSpan.FromSeconds(2), e.RetryAfter);
        Assert.Equal(DegradationMode.Rejected, e.Mode);
        Assert.Equal(
            "Tool 'search_kb' was denied for tenant 'acme': the 'search' budget has 10 units left and the call costs 20. Retry after 2 s. (policy 2026-11-21.1)",
            e.Message);
    }

    [Fact]
    public void A_tool_with_a_fallback_is_served_as_a_draft_when_its_budget_is_spent()
    {
        var withDraft = new QuotaTool("search_kb", "search", hasFallback: true);
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 1, refill: 1), _time);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(withDraft, 1).IsAdmitted);
        QuotaTicket degraded = run.Acquire(withDraft, 1);
        Assert.Equal(DegradationMode.DraftOnly, degraded.Mode);
        Assert.Equal(QuotaReason.BucketExhausted, degraded.Decision.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), degraded.Decision.RetryAfter);
    }

    [Fact]
    public void A_ladder_without_drafts_rejects_instead()
    {
        var withDraft = new QuotaTool("search_kb", "search", hasFallback: true);
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1, refill: 1, extra: "\"degradation\": [\"Full\", \"ApprovalRequired\"]");
        using QuotaGate gate = TestPolicies.Gate(policy, _time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, withDraft, 1)).IsAdmitted);
        Assert.Equal(DegradationMode.Rejected, gate.TryAcquire(new QuotaRequest(Acme, withDraft, 1)).Mode);
    }

    [Fact]
    public void Unknown_tenants_and_categories_fail_closed_and_never_degrade()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "1", "tiers": { "t": { "categories": { "search": { "capacity": 5, "refillPerSecond": 1 } } } }, "tenants": { "acme": { "tier": "t" } } }
            """);
        using QuotaGate gate = TestPolicies.Gate(policy, _time);
        var withDraft = new QuotaTool("mail", "email", hasFallback: true);

        QuotaDecision stranger = gate.TryAcquire(new QuotaRequest(new AgentIdentity("globex", "u"), Search, 1));
        Assert.Equal(QuotaReason.UnknownTenant, stranger.Reason);
        Assert.Equal(DegradationMode.Rejected, stranger.Mode);

        QuotaDecision uncategorised = gate.TryAcquire(new QuotaRequest(Acme, withDraft, 1));
        Assert.Equal(QuotaReason.UnknownCategory, uncategorised.Reason);
        Assert.Equal(DegradationMode.Rejected, uncategorised.Mode);
        Assert.Contains("Tier 't' budgets: search", uncategorised.Detail);
    }

    [Fact]
    public void Critical_work_may_borrow_in_a_tier_with_an_emergency_allowance()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 10, refill: 1, emergency: """{ "classes": ["Critical"], "debtMultiplier": 0.5 }""");
        using QuotaGate gate = TestPolicies.Gate(policy, _time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 10, WorkloadClass.High)).IsAdmitted);
        Assert.False(gate.TryAcquire(new QuotaRequest(Acme, Search, 1, WorkloadClass.High)).IsAdmitted);

        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 5, WorkloadClass.Critical)).IsAdmitted);
        QuotaDecision beyond = gate.TryAcquire(new QuotaRequest(Acme, Search, 1, WorkloadClass.Critical));
        Assert.False(beyond.IsAdmitted);
        Assert.Equal(-5, beyond.Remaining, 9);
    }

    [Fact]
    public void Burst_credits_serve_a_spike_above_capacity()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 10, refill: 1, burst: """{ "multiplier": 2, "maxSeconds": 5 }""");
        using QuotaGate gate = TestPolicies.Gate(policy, _time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 15)).IsAdmitted);
        Assert.False(gate.TryAcquire(new QuotaRequest(Acme, Search, 1)).IsAdmitted);
    }

    [Fact]
    public void The_daily_ceiling_resets_at_utc_midnight()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 23, 0, 0, TimeSpan.Zero));
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1000, refill: 100, limits: """{ "maxCostPerDay": 50 }""");
        using QuotaGate gate = TestPolicies.Gate(policy, time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 20)).IsAdmitted);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 20)).IsAdmitted);

        QuotaDecision capped = gate.TryAcquire(new QuotaRequest(Acme, Search, 20));
        Assert.Equal(QuotaReason.DailyCostLimit, capped.Reason);
        Assert.Equal(TimeSpan.FromHours(1), capped.RetryAfter);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 10)).IsAdmitted);   // exactly to the ceiling
        Assert.Equal(50, gate.Store.GetSpend("acme").Today);

        time.Advance(TimeSpan.FromHours(1));
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 20)).IsAdmitted);
        Assert.Equal(20, gate.Store.GetSpend("acme").Today);
        Assert.Equal(70, gate.Store.GetSpend("acme").ThisMonth);   // same month: yesterday's 50 still count
    }

    [Fact]
    public void The_monthly_ceiling_applies_across_days()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1000, refill: 100, limits: """{ "maxCostPerDay": 100, "maxCostPerMonth": 150 }""");
        using QuotaGate gate = TestPolicies.Gate(policy, time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 100)).IsAdmitted);
        time.Advance(TimeSpan.FromDays(1));
        QuotaDecision capped = gate.TryAcquire(new QuotaRequest(Acme, Search, 60));
        Assert.Equal(QuotaReason.MonthlyCostLimit, capped.Reason);
        Assert.Equal(TimeSpan.FromHours(12), capped.RetryAfter);   // until December 1st
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 50)).IsAdmitted);
    }

    [Fact]
    public void A_denied_spend_is_not_counted_against_the_ceiling()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 10, refill: 1, limits: """{ "maxCostPerDay": 100 }""");
        using QuotaGate gate = TestPolicies.Gate(policy, _time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 10)).IsAdmitted);
        Assert.False(gate.TryAcquire(new QuotaRequest(Acme, Search, 10)).IsAdmitted);   // bucket empty
        Assert.Equal(10, gate.Store.GetSpend("acme").Today);
    }

    [Fact]
    public void Only_admitted_tickets_complete()
    {
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 1, refill: 1), _time);
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 1).Complete();
        QuotaTicket denied = run.Acquire(Search, 1);
        Assert.Throws<InvalidOperationException>(() => denied.Complete());
        Assert.Throws<InvalidOperationException>(() => denied.Fail());
        Assert.Throws<InvalidOperationException>(() => default(QuotaTicket).Complete());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Invalid_costs_are_a_programming_error(double cost)
    {
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), _time);
        using AgentRun run = gate.BeginRun(Acme);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => run.Acquire(Search, cost));
        Assert.Contains("search_kb", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Acquire(Search, 1).Complete(actualCost: -1));
    }

    [Fact]
    public async Task The_async_path_completes_synchronously_on_the_memory_store()
    {
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), _time);
        using AgentRun run = gate.BeginRun(Acme);
        ValueTask<QuotaTicket> pending = run.AcquireAsync(Search, 1);
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.True((await pending).IsAdmitted);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => run.AcquireAsync(Search, 1, cancelled.Token));
    }

    [Fact]
    public void A_disposed_gate_refuses_work()
    {
        QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), _time);
        gate.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gate.BeginRun(Acme));
        Assert.Throws<ObjectDisposedException>(() => gate.TryAcquire(new QuotaRequest(Acme, Search, 1)));
    }
}
