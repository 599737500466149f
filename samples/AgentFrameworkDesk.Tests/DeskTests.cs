using System.Text.Json;
using AgentQuotas;
using AgentQuotas.Agents.AI;
using AgentQuotas.Audit;
using AgentQuotas.Guard;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using AgentQuotas.Tools;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace AgentFrameworkDesk.Tests;

/// <summary>The sample's four conversations, on a manual clock: what a reader of its output is promised.</summary>
public sealed class DeskTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly Desk _desk;

    public DeskTests()
    {
        _desk = new Desk(QuotaPolicy.Load(Path.Combine(AppContext.BaseDirectory, "agentquotas.json")), _time);
    }

    public void Dispose() => _desk.Dispose();

    private static JsonElement Json(object? value) => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);

    [Fact]
    public async Task A_guarded_call_runs_and_is_audited_for_the_authenticated_tenant()
    {
        AgentResponse response = await _desk.AskAsync("acme", new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "refund policy"))), "How do refunds work?");

        Assert.Equal("Here is what I found: 3 articles about refund policy", response.Text);
        Assert.Equal(1, _desk.Tools.Searches);
        QuotaAuditRecord[] search = [.. _desk.AuditTrail.Where(r => r.Tool == "search_kb")];
        Assert.Equal([AuditDecision.Admitted, AuditDecision.Completed], search.Select(r => r.Decision));
        Assert.All(search, r => Assert.Equal(("acme", "user-1", 15d), (r.Tenant, r.Principal, r.PlannedCost)));
    }

    [Fact]
    public async Task A_denial_tells_the_model_when_to_retry()
    {
        var model = new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "a")), ScriptedModel.Call("search_kb", ("query", "b")), ScriptedModel.Call("search_kb", ("query", "c")));

        AgentResponse response = await _desk.AskAsync("acme", model, "Search three times.");

        Assert.Equal(2, _desk.Tools.Searches);                // 40 units, 15 a search: the third is refused
        FunctionResultContent refused = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Last();
        ToolRefusal refusal = Assert.IsType<ToolRefusal>(refused.Result);
        Assert.Equal("BucketExhausted", refusal.Reason);
        Assert.Equal(2.5, refusal.RetryAfterSeconds);           // 5 units short at 2 a second, on the manual clock
        Assert.Contains("Retry after 2.5 s", response.Text);
    }

    [Fact]
    public async Task A_privileged_call_without_approval_is_drafted_and_moves_no_money()
    {
        var model = new ScriptedModel(ScriptedModel.Call("issue_refund", ("orderId", "A-1042"), ("amount", 25m)));

        AgentResponse response = await _desk.AskAsync("acme", model, "Refund A-1042.");

        Assert.Equal((0, 1), (_desk.Tools.Refunds, _desk.Tools.Drafts));
        FallbackToolResult draft = Assert.IsType<FallbackToolResult>(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().Result);
        Assert.Equal(("DraftOnly", "ApprovalRequired"), (draft.Mode, draft.Reason));
        Assert.Contains("DRAFT: refund 25 on A-1042", response.Text);
        Assert.Equal(AuditDecision.Degraded, Assert.Single(_desk.AuditTrail, r => r.Tool == "issue_refund").Decision);
    }

    [Fact]
    public async Task A_runaway_run_is_capped_by_the_tiers_iteration_limit()
    {
        var model = new ScriptedModel { Runaway = ScriptedModel.Call("weather", ("city", "Oslo")) };

        AgentResponse response = await _desk.AskAsync("acme", model, "Keep checking the weather.");

        Assert.Equal(6, model.Turns);                           // the tier allows 6 iterations
        AgentRunCapped capped = Assert.IsType<AgentRunCapped>(response.AdditionalProperties![AgentQuotasAgent.CappedKey]);
        Assert.Equal(("RunIterationLimit", QuotaReason.RunIterationLimit), (capped.Limit, capped.Reason));
        Assert.Equal(5, _desk.AuditTrail.Count(r => r.Tool == "weather" && r.Decision == AuditDecision.Completed)); // policy-quota tool, 5 turns' calls
    }

    [Fact]
    public async Task Outside_a_run_the_agent_refuses_to_start()
    {
        AIAgent agent = _desk.Agent(new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "x"))));
        await Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("hi"));
        Assert.Equal(0, _desk.Tools.Searches);
    }
}
