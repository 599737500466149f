using AgentQuotas.Audit;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Guard;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Runtime;

/// <summary>The runtime members generated code and the chat client rely on.</summary>
public sealed class RunGuardApiTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;

    public RunGuardApiTests()
    {
        _gate = Policies.Gate(Policies.Create("""{ "maxToolCalls": 10, "maxCostPerRun": 50 }""", "search:100:1", "tokens:20:1"), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void Remaining_tool_calls_is_the_tightest_of_the_run_its_ancestors_and_the_tier()
    {
        using AgentRun run = _gate.BeginRun(Acme, limits: new RunLimits { MaxToolCalls = 6 });
        Assert.Equal(6, run.RemainingToolCalls);
        run.Acquire(Search, 1);
        run.Acquire(Search, 1);

        using AgentRun child = run.BeginChild(new RunLimits { MaxToolCalls = 3 });
        Assert.Equal(3, child.RemainingToolCalls);
        child.Acquire(Search, 1);
        child.Acquire(Search, 1);
        Assert.Equal(1, child.RemainingToolCalls);
        Assert.Equal(2, run.RemainingToolCalls);
        child.Acquire(Search, 1);
        Assert.Equal(0, child.RemainingToolCalls);
    }

    [Fact]
    public void Remaining_tool_calls_falls_back_to_the_tier_cap()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        Assert.Equal(10, run.RemainingToolCalls);
    }

    [Fact]
    public void Recorded_usage_debits_the_bucket_and_the_run_without_refusal_and_is_audited()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        var tokens = new QuotaTool("chat", "tokens");

        QuotaDecision first = run.RecordUsage(tokens, 15);
        QuotaDecision second = run.RecordUsage(tokens, 15);     // more than is left: goes into debt

        Assert.True(first.IsAdmitted && second.IsAdmitted);
        Assert.Equal(-10, second.Remaining, 6);
        Assert.Equal(30, run.CostSpent);
        Assert.Equal(0, run.ToolCalls);                          // usage is not a tool call
        Assert.Equal(2, _audit.Snapshot().Count(r => r.Decision == AuditDecision.Completed && r.Category == "tokens"));

        QuotaDecision check = run.CheckUsageBudget(tokens);
        Assert.Equal(QuotaReason.BucketExhausted, check.Reason);
        Assert.Equal(TimeSpan.FromSeconds(11), check.RetryAfter);
        _time.Advance(11);
        Assert.True(run.CheckUsageBudget(tokens).IsAdmitted);
    }

    [Fact]
    public void Usage_in_an_unbudgeted_category_is_refused_and_charges_nothing()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaDecision refused = run.RecordUsage(new QuotaTool("chat", "gpu"), 5);
        Assert.Equal(QuotaReason.UnknownCategory, refused.Reason);
        Assert.Equal(0, run.CostSpent);
        Assert.Throws<ArgumentOutOfRangeException>(() => run.RecordUsage(Search, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.RecordUsage(Search, double.PositiveInfinity));
    }

    [Fact]
    public void The_usage_check_refuses_once_the_run_cost_cap_is_reached()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        run.RecordUsage(new QuotaTool("chat", "search"), 50);
        QuotaDecision check = run.CheckUsageBudget(new QuotaTool("chat", "tokens"));
        Assert.Equal(QuotaReason.RunCostLimit, check.Reason);
    }

    [Fact]
    public void Only_a_draft_only_denial_can_be_degraded()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket admitted = run.Acquire(Search, 1);
        Assert.Throws<InvalidOperationException>(() => ToolGuard.Degrade(admitted));
        Assert.Null(run.LastDegradation);
    }
}
