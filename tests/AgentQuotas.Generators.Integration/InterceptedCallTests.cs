using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Integration;

/// <summary>Real calls in an ordinary build, intercepted by the generator running as an analyzer.</summary>
public sealed class InterceptedCallTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;
    private readonly SupportTools _tools = new();

    public InterceptedCallTests()
    {
        _gate = new QuotaGate(QuotaPolicy.Parse("""
            {
              "version": "it-1",
              "tiers": { "standard": {
                "categories": { "search": { "capacity": 200, "refillPerSecond": 1 }, "payments": { "capacity": 1, "refillPerSecond": 0.01 } },
                "limits": { "maxIterations": 50 } } },
              "defaultTier": "standard",
              "degradation": ["Full", "DraftOnly"]
            }
            """), new QuotaGateOptions { TimeProvider = _time, AuditSink = _audit });
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public async Task A_direct_call_is_guarded_and_reports_its_actual_cost()
    {
        using AgentRun run = _gate.BeginRun(Acme, WorkloadClass.High, "support");

        SearchResult result = await _tools.SearchKbAsync("refund policy");

        Assert.Equal("3 articles about refund policy", result.Text);
        Assert.Equal(1, run.ToolCalls);
        Assert.Equal(12, run.CostSpent);                       // planned 20, corrected to the reported 12
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "search_kb" && r.Decision == AuditDecision.Completed && r.ActualCost == 12);
    }

    [Fact]
    public async Task Without_a_run_the_call_fails_closed()
    {
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => _tools.SearchKbAsync("x"));
        Assert.Contains("SupportTools.SearchKbAsync", e.Message);
        Assert.Equal(0, _tools.Searches);
    }

    [Fact]
    public async Task A_denied_privileged_call_is_served_by_its_private_fallback_and_the_result_says_so()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        RefundResult first = await _tools.IssueRefundAsync("o-1", 25m);
        RefundResult second = await _tools.IssueRefundAsync("o-2", 30m);

        Assert.False(first.IsDraft);
        Assert.True(second.IsDraft);
        Assert.Equal(QuotaReason.BucketExhausted, second.Degradation!.Reason);
        Assert.Equal(TimeSpan.FromSeconds(100), second.Degradation.RetryAfter);
        Assert.Same(second.Degradation, run.LastDegradation);
        Assert.Equal(1, _tools.Refunds);
    }

    [Fact]
    public void The_estimator_prices_the_call()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        Assert.Equal("summary of 3", _tools.Summarize(["a", "b", "c"]));
        Assert.Equal(11, run.CostSpent);
    }

    [Fact]
    public async Task An_agent_loop_stops_at_its_cap_and_its_tool_calls_count_in_the_parent()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        int turns = await new SupportAgent(_tools).ResearchAsync("billing");

        Assert.Equal(8, turns);
        Assert.Equal(8, run.ToolCalls);
        Assert.Same(run, AgentRun.Current);
    }

    [Fact]
    public async Task Generated_AIFunctions_are_guarded_too()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        IReadOnlyList<Microsoft.Extensions.AI.AIFunction> functions = _tools.CreateGuardedAIFunctions();
        Microsoft.Extensions.AI.AIFunction search = functions.Single(f => f.Name == "search_kb");

        object? result = await search.InvokeAsync(new Microsoft.Extensions.AI.AIFunctionArguments { ["query"] = "vat" });

        Assert.Equal("3 articles about vat", Assert.IsType<SearchResult>(result).Text);
        Assert.Equal(1, run.ToolCalls);
        Assert.Equal("What to look for.", search.JsonSchema.GetProperty("properties").GetProperty("query").GetProperty("description").GetString());
        Assert.Equal(["issue_refund", "search_kb"], functions.Select(f => f.Name));
    }
}
