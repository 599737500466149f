using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.SemanticKernel;

namespace KernelDesk.Tests;

/// <summary>The sample's four questions, on a manual clock: what a reader of its output is promised.</summary>
public sealed class DeskTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly Desk _desk;

    public DeskTests()
    {
        _desk = new Desk(QuotaPolicy.Load(Path.Combine(AppContext.BaseDirectory, "agentquotas.json")), _time);
    }

    public void Dispose() => _desk.Dispose();

    [Fact]
    public async Task A_guarded_call_runs_and_is_audited_for_the_authenticated_tenant()
    {
        FunctionResult answer = await _desk.AskAsync("acme", new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "refund policy"))), "How do refunds work?");

        Assert.Equal("Here is what I found: 3 articles about refund policy", answer.ToString());
        Assert.Equal(1, _desk.Plugin.Searches);
        QuotaAuditRecord[] search = [.. _desk.AuditTrail.Where(r => r.Category == "search")];
        Assert.Equal([AuditDecision.Admitted, AuditDecision.Completed], search.Select(r => r.Decision));
        Assert.All(search, r => Assert.Equal(("acme", "user-1", 15d, "desk"), (r.Tenant, r.Principal, r.PlannedCost, r.Workflow)));
    }

    [Fact]
    public async Task A_denial_tells_the_model_when_to_retry()
    {
        var model = new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "a")), ScriptedModel.Call("search_kb", ("query", "b")), ScriptedModel.Call("search_kb", ("query", "c")));

        FunctionResult answer = await _desk.AskAsync("acme", model, "Search three times.");

        Assert.Equal(2, _desk.Plugin.Searches);               // 40 units, 15 a search: the third is refused
        Assert.Contains("\"reason\":\"BucketExhausted\"", answer.ToString());
        Assert.Contains("\"retryAfterSeconds\":2.5", answer.ToString());   // 5 units short at 2 a second, on the manual clock
        Assert.Contains("Retry after 2.5 s", answer.ToString());
    }

    [Fact]
    public async Task A_privileged_call_without_approval_is_drafted_and_moves_no_money()
    {
        FunctionResult answer = await _desk.AskAsync("acme", new ScriptedModel(ScriptedModel.Call("issue_refund", ("orderId", "A-1042"), ("amount", 25m))), "Refund A-1042.");

        Assert.Equal((0, 1), (_desk.Plugin.Refunds, _desk.Plugin.Drafts));
        Assert.Contains("\"degraded\":true", answer.ToString());
        Assert.Contains("draft: refund 25 for A-1042", answer.ToString());
        Assert.DoesNotContain(_desk.AuditTrail, r => r.Category == "payments" && r.Decision == AuditDecision.Completed);
    }

    [Fact]
    public async Task A_runaway_model_is_capped_by_the_tier()
    {
        var model = new ScriptedModel { Runaway = ScriptedModel.Call("weather", ("city", "Oslo")) };

        await _desk.AskAsync("acme", model, "Keep checking the weather.");

        Assert.Equal(6, model.Turns);                          // the tier's maxIterations
        QuotaAuditRecord capped = Assert.Single(_desk.AuditTrail, r => r.Reason == QuotaReason.RunIterationLimit);
        Assert.Equal("acme", capped.Tenant);
        Assert.Equal(5, _desk.AuditTrail.Count(r => r.Tool == "weather" && r.Decision == AuditDecision.Completed));
    }

    [Fact]
    public async Task Outside_an_agent_run_the_kernel_refuses_before_the_model_is_called()
    {
        var model = new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "x")));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _desk.Kernel(model).InvokePromptAsync("hi"));

        Assert.Equal(0, model.Turns);
        Assert.Equal(0, _desk.Plugin.Searches);
    }
}
