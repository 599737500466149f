using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Runs;

public sealed class AgentRunTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly QuotaGate _gate;

    public AgentRunTests()
    {
        _gate = TestPolicies.Gate(
            TestPolicies.Simple(capacity: 1000, refill: 10, limits: """{ "maxIterations": 5, "maxToolCalls": 4, "maxCostPerRun": 100 }"""),
            _time);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void Outside_a_run_guarded_calls_fail_closed_with_a_clear_error()
    {
        Assert.Null(AgentRun.Current);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => AgentRun.RequireCurrent("SupportTools.SearchKbAsync"));
        Assert.Contains("'SupportTools.SearchKbAsync' is guarded", e.Message);
        Assert.Contains("gate.BeginRun", e.Message);
        Assert.Contains("fail closed", e.Message);
    }

    [Fact]
    public void A_disposed_run_refuses_further_calls()
    {
        AgentRun run = _gate.BeginRun(Acme);
        run.Dispose();
        Assert.Null(AgentRun.Current);
        Assert.Throws<ObjectDisposedException>(() => run.Acquire(Search, 1));
        Assert.Throws<ObjectDisposedException>(() => run.TryBeginIteration());
    }

    [Fact]
    public void The_tier_caps_tool_calls_per_run()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(run.Acquire(Search, 1).IsAdmitted);
        }

        QuotaTicket fifth = run.Acquire(Search, 1);
        Assert.Equal(QuotaReason.RunToolCallLimit, fifth.Decision.Reason);
        Assert.Null(fifth.Decision.RetryAfter);                  // waiting does not help
        Assert.Contains("allows 4 tool calls", fifth.Decision.Detail);
        Assert.Equal(4, run.ToolCalls);
    }

    [Fact]
    public void The_tighter_of_run_and_tier_caps_wins()
    {
        using (AgentRun tighter = _gate.BeginRun(Acme, limits: new RunLimits { MaxToolCalls = 2 }))
        {
            Assert.True(tighter.Acquire(Search, 1).IsAdmitted);
            Assert.True(tighter.Acquire(Search, 1).IsAdmitted);
            Assert.Equal(QuotaReason.RunToolCallLimit, tighter.Acquire(Search, 1).Decision.Reason);
        }

        using AgentRun looser = _gate.BeginRun(Acme, limits: new RunLimits { MaxToolCalls = 50 });
        for (int i = 0; i < 4; i++)
        {
            Assert.True(looser.Acquire(Search, 1).IsAdmitted);
        }

        Assert.Equal(QuotaReason.RunToolCallLimit, looser.Acquire(Search, 1).Decision.Reason);
    }

    [Fact]
    public void Run_cost_cap_counts_planned_cost_and_corrections()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket first = run.Acquire(Search, 60);
        first.Complete(actualCost: 20);                         // 40 refunded to the run
        Assert.Equal(20, run.CostSpent);
        QuotaTicket second = run.Acquire(Search, 70);
        Assert.True(second.IsAdmitted);
        QuotaTicket third = run.Acquire(Search, 20);
        Assert.Equal(QuotaReason.RunCostLimit, third.Decision.Reason);
        Assert.Contains("allows 100 cost units and has spent 90", third.Decision.Detail);
    }

    [Fact]
    public void Iterations_are_capped_and_each_is_recorded()
    {
        using AgentRun run = _gate.BeginRun(Acme, limits: new RunLimits { MaxIterations = 3 });
        for (int i = 0; i < 3; i++)
        {
            run.BeginIteration();
        }

        QuotaExceededException e = Assert.Throws<QuotaExceededException>(() => run.BeginIteration());
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(3, run.Iterations);
        Assert.Contains("allows 3 iterations", e.Message);
    }

    [Fact]
    public void A_run_past_its_deadline_is_denied()
    {
        using AgentRun run = _gate.BeginRun(Acme, limits: new RunLimits { Timeout = TimeSpan.FromSeconds(30) });
        Assert.True(run.Acquire(Search, 1).IsAdmitted);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(QuotaReason.RunDeadlineExceeded, run.Acquire(Search, 1).Decision.Reason);
        Assert.False(run.TryBeginIteration().IsAdmitted);
    }

    [Fact]
    public void Child_runs_count_against_their_parents_and_restore_them_when_disposed()
    {
        using AgentRun parent = _gate.BeginRun(Acme, WorkloadClass.High, "support");
        Assert.True(parent.Acquire(Search, 1).IsAdmitted);

        using (AgentRun child = parent.BeginChild(new RunLimits { MaxToolCalls = 10, MaxIterations = 2 }, "RunAgentAsync"))
        {
            Assert.Same(child, AgentRun.Current);
            Assert.Same(parent, child.Parent);
            Assert.Equal(Acme, child.Identity);
            Assert.Equal(WorkloadClass.High, child.WorkloadClass);
            Assert.StartsWith(parent.Id + ".", child.Id);

            Assert.True(child.Acquire(Search, 5).IsAdmitted);
            Assert.True(child.Acquire(Search, 5).IsAdmitted);
            Assert.True(child.Acquire(Search, 5).IsAdmitted);
            QuotaTicket capped = child.Acquire(Search, 5);          // the parent's tier cap (4) binds first
            Assert.Equal(QuotaReason.RunToolCallLimit, capped.Decision.Reason);
            Assert.Contains(parent.Id, capped.Decision.Detail);

            child.BeginIteration();
            child.BeginIteration();
            Assert.False(child.TryBeginIteration().IsAdmitted);
            Assert.Equal(0, parent.Iterations);                     // iterations are each run's own
            Assert.Equal(3, child.ToolCalls);
        }

        Assert.Same(parent, AgentRun.Current);
        Assert.Equal(4, parent.ToolCalls);
        Assert.Equal(16, parent.CostSpent);
    }

    [Fact]
    public void A_run_opened_inside_a_run_of_the_same_tenant_nests()
    {
        using AgentRun outer = _gate.BeginRun(Acme);
        using AgentRun inner = _gate.BeginRun(new AgentIdentity("acme", "service"), WorkloadClass.Batch);
        Assert.Same(outer, inner.Parent);
        Assert.True(inner.Acquire(Search, 1).IsAdmitted);
        Assert.Equal(1, outer.ToolCalls);
    }

    [Fact]
    public void Switching_tenant_inside_a_run_is_refused()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => _gate.BeginRun(new AgentIdentity("globex", "mallory")));
        Assert.Contains("tenant 'globex'", e.Message);
        Assert.Same(run, AgentRun.Current);
    }

    [Fact]
    public async Task The_current_run_flows_into_awaited_work_and_stays_isolated_per_flow()
    {
        async Task<string?> TenantSeenInside()
        {
            await Task.Yield();
            return AgentRun.Current?.Identity.Tenant;
        }

        using (AgentRun run = _gate.BeginRun(Acme))
        {
            Assert.Equal("acme", await TenantSeenInside());
            Assert.Equal("acme", await Task.Run(TenantSeenInside));
        }

        Assert.Null(AgentRun.Current);
        Assert.Null(await Task.Run(TenantSeenInside));
    }

    [Fact]
    public void Denied_calls_do_not_count_as_tool_calls()
    {
        using QuotaGate small = TestPolicies.Gate(TestPolicies.Simple(capacity: 2, refill: 1), _time);
        using AgentRun run = small.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 2).IsAdmitted);
        Assert.False(run.Acquire(Search, 2).IsAdmitted);
        Assert.Equal(1, run.ToolCalls);
        Assert.Equal(2, run.CostSpent);
    }

    [Theory]
    [InlineData(0, null, null)]
    [InlineData(null, -1, null)]
    [InlineData(null, null, 0.0)]
    public void Invalid_run_limits_are_refused(int? iterations, int? toolCalls, double? cost)
    {
        var limits = new RunLimits { MaxIterations = iterations, MaxToolCalls = toolCalls, MaxCost = cost };
        Assert.Throws<ArgumentOutOfRangeException>(() => _gate.BeginRun(Acme, limits: limits));
        Assert.Null(AgentRun.Current);
    }

    [Fact]
    public void AgentLoop_values_of_zero_mean_no_cap_of_its_own()
    {
        RunLimits limits = RunLimits.FromAgentLoop(maxIterations: 8, maxToolCalls: 0, maxCost: 0);
        Assert.Equal(8, limits.MaxIterations);
        Assert.Null(limits.MaxToolCalls);
        Assert.Null(limits.MaxCost);
    }

    [Theory]
    [InlineData("", "p")]
    [InlineData("t", " ")]
    [InlineData("a\nb", "p")]
    public void Identities_must_be_well_formed(string tenant, string principal)
    {
        Assert.Throws<ArgumentException>(() => new AgentIdentity(tenant, principal));
    }
}
