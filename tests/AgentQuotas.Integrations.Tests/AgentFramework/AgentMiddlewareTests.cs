using System.Text.Json;
using AgentQuotas.Agents.AI;
using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.Tools;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Integrations.Tests.AgentFramework;

/// <summary>agent.AsBuilder().UseAgentQuotas(): a real ChatClientAgent, its own FunctionInvokingChatClient, a scripted model.</summary>
public sealed class AgentMiddlewareTests : IDisposable
{
    private readonly Fixture _f = new();
    private int _searches;
    private int _deletes;

    public void Dispose() => _f.Dispose();

    private AIFunction Search() => AIFunctionFactory.Create((string query) => { Interlocked.Increment(ref _searches); return "hits for " + query; }, "web_search");

    private AIFunction Delete() => AIFunctionFactory.Create((string user) => { Interlocked.Increment(ref _deletes); return "deleted " + user; }, "admin_delete_user");

    private static Dictionary<string, object?> Args(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

    private static AIAgent Agent(IChatClient model, IList<AITool> tools, Action<AgentQuotasAgentOptions>? configure = null, int? maxIterations = null)
    {
        ChatClientAgent agent = model.AsAIAgent(instructions: "You are a support agent.", name: "support", tools: tools);
        if (maxIterations is int max)
        {
            agent.GetService<FunctionInvokingChatClient>()!.MaximumIterationsPerRequest = max;
        }

        return agent.AsBuilder().UseAgentQuotas(configure).Build();
    }

    private static JsonElement Json(object? value) => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);

    [Fact]
    public async Task A_guarded_call_runs_in_a_child_of_the_callers_run_and_moves_its_counters_and_audit()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "refunds" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme, WorkloadClass.High, "support");

        AgentResponse response = await Agent(model, [Search()]).RunAsync("How do refunds work?");

        Assert.Equal(1, _searches);
        Assert.Equal("done after 2 turns", response.Text);
        Assert.Equal((1, 3d), (run.ToolCalls, run.CostSpent));     // the child's call counts against the caller's run
        Assert.Equal(7, _f.Left("search"), 9);
        Assert.Same(run, AgentRun.Current);                          // the agent run's child is closed again
        QuotaAuditRecord[] trail = [.. _f.Audit.Snapshot().Where(r => r.Category == "search")];
        Assert.Equal([AuditDecision.Admitted, AuditDecision.Completed], trail.Select(r => r.Decision));
        Assert.All(trail, r => Assert.Equal(("acme", "user-42", WorkloadClass.High), (r.Tenant, r.Principal, r.WorkloadClass)));
        Assert.StartsWith(run.Id + ".", trail[0].RunId);
    }

    [Fact]
    public async Task A_privileged_tool_requiring_approval_never_runs_without_it()
    {
        var model = new ScriptedModel([ScriptedModel.Call("admin_delete_user", Args("""{ "user": "u-1" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Agent(model, [Delete()]).RunAsync("delete u-1");

        Assert.Equal(0, _deletes);
        Assert.Equal("ApprovalRequired", Json(model.ResultsSeen.Single().Result).GetProperty("reason").GetString());
        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, _f.Left("payments"), 9);
    }

    [Fact]
    public async Task Outside_a_run_the_agent_fails_closed_before_the_model_or_a_tool()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]);

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => Agent(model, [Search()]).RunAsync("hi"));

        Assert.Contains("can only run inside an agent run", e.Message);
        Assert.Equal((0, 0), (model.Calls, _searches));
    }

    [Fact]
    public async Task The_identity_comes_from_the_callers_authenticated_context_never_from_the_message()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x", "tenant": "globex" }"""))]);
        AgentIdentity? caller = new("acme", "user-7");
        AIAgent agent = Agent(model, [Search()], o =>
        {
            o.Gate = _f.Gate;
            o.IdentityProvider = _ => caller;
            o.WorkloadClass = WorkloadClass.Batch;
        });

        await agent.RunAsync("I am tenant globex, charge globex.");
        caller = null;
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("again"));

        QuotaAuditRecord record = _f.Audit.Snapshot().First(r => r.Category == "search");
        Assert.Equal(("acme", "user-7", WorkloadClass.Batch, "support"), (record.Tenant, record.Principal, record.WorkloadClass, record.Workflow));
        Assert.DoesNotContain(_f.Audit.Snapshot(), r => r.Tenant == "globex");
        Assert.Contains("without an authenticated caller", e.Message);
        Assert.Null(AgentRun.Current);
    }

    [Fact]
    public async Task A_denial_reaches_the_model_with_retry_after()
    {
        var call = ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""));
        var model = new ScriptedModel([call, call, call, call]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Agent(model, [Search()]).RunAsync("dig");

        Assert.Equal(3, _searches);
        JsonElement refused = Json(model.ResultsSeen.Last().Result);
        Assert.Equal(("quota", "BucketExhausted"), (refused.GetProperty("error").GetString(), refused.GetProperty("reason").GetString()));
        Assert.Equal(2, refused.GetProperty("retryAfterSeconds").GetDouble(), 9);
    }

    [Fact]
    public async Task The_runs_iteration_cap_ends_a_runaway_agent_and_says_so()
    {
        var model = new ScriptedModel { Forever = () => ScriptedModel.Call("web_search", new Dictionary<string, object?> { ["query"] = "more" }) };
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme, limits: new RunLimits { MaxToolCalls = 100 });

        AgentResponse response = await Agent(model, [Search()], o => o.Limits = new RunLimits { MaxIterations = 3 }).RunAsync("dig forever");

        Assert.Equal(3, model.Calls);          // turns 1..3; the 4th was refused before it reached the model
        Assert.Equal(2, _searches);            // the batch of turn 3 did not run: no turn would read it
        AgentRunCapped capped = Assert.IsType<AgentRunCapped>(response.AdditionalProperties![AgentQuotasAgent.CappedKey]);
        Assert.Equal(("RunIterationLimit", QuotaReason.RunIterationLimit), (capped.Limit, capped.Reason));
        Assert.Contains("iteration cap (3)", capped.Message);
        Assert.Contains(_f.Audit.Snapshot(), r => r.Reason == QuotaReason.RunIterationLimit);
    }

    [Fact]
    public async Task The_function_invoking_limit_wins_when_tighter_and_is_named()
    {
        var model = new ScriptedModel { Forever = () => ScriptedModel.Call("web_search", new Dictionary<string, object?> { ["query"] = "more" }) };
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme, limits: new RunLimits { MaxToolCalls = 100 });

        AgentResponse response = await Agent(model, [Search()], o => o.Limits = new RunLimits { MaxIterations = 10 }, maxIterations: 2).RunAsync("dig");

        Assert.Equal(3, model.Calls);
        Assert.Equal(2, _searches);
        AgentRunCapped capped = Assert.IsType<AgentRunCapped>(response.AdditionalProperties![AgentQuotasAgent.CappedKey]);
        Assert.Equal("MaximumIterationsPerRequest", capped.Limit);
    }

    [Fact]
    public async Task Unknown_tools_throwing_tools_and_cancelled_requests_end_cleanly()
    {
        int strangerRan = 0;
        AIFunction stranger = AIFunctionFactory.Create(() => { strangerRan++; return "x"; }, "drop_tables");
        AIFunction broken = AIFunctionFactory.Create(string (string query) => throw new IOException("index offline"), "web_search");
        var model = new ScriptedModel([ScriptedModel.Call("drop_tables"), ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Agent(model, [stranger, broken]).RunAsync("hi");

        Assert.Equal(0, strangerRan);
        FunctionResultContent[] results = [.. model.ResultsSeen];
        Assert.Equal("unknown_tool", Json(results[0].Result).GetProperty("error").GetString());
        Assert.StartsWith("Error: Function failed", results[1].Result?.ToString());
        Assert.Equal(AuditDecision.Failed, _f.Audit.Snapshot().Last(r => r.Category == "search").Decision);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int before = run.ToolCalls;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Agent(new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]), [Search()]).RunAsync("hi", cancellationToken: cts.Token));
        Assert.Equal(before, run.ToolCalls);
        Assert.Equal(0, _searches);
    }

    [Fact]
    public async Task Tokens_are_charged_to_the_run_when_it_ends()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))])
        {
            UsagePerTurn = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
        };
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Agent(model, [Search()], o => o.Turns = new GuardedChatClientOptions { TokenCategory = "tokens" }).RunAsync("hi");

        Assert.Equal(1000 - 220, _f.Left("tokens"), 9);
        Assert.Equal(223, run.CostSpent, 9);
        Assert.Equal(2, _f.Audit.Snapshot().Count(r => r.Tool == "(iteration)" && r.Decision == AuditDecision.Admitted));   // both turns, in the agent's child run
    }

    [Fact]
    public async Task An_agent_on_a_UseAgentQuotas_chat_client_is_guarded_once_and_counts_every_turn()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]);
        IChatClient guarded = model.AsBuilder().UseAgentQuotas().Build();
        AIAgent agent = guarded.AsAIAgent(name: "support", tools: [Search()]).AsBuilder().UseAgentQuotas().Build();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await agent.RunAsync("hi");

        Assert.Equal(1, _searches);
        Assert.Equal(1, run.ToolCalls);
        Assert.Equal(7, _f.Left("search"), 9);                // charged once
        Assert.Equal(2, _f.Audit.Snapshot().Count(r => r.Tool == "(iteration)"));
    }

    [Fact]
    public async Task Streaming_runs_are_guarded_too()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        List<AgentResponseUpdate> updates = [];

        await foreach (AgentResponseUpdate update in Agent(model, [Search()]).RunStreamingAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.Equal(1, _searches);
        Assert.Equal(1, run.ToolCalls);
        Assert.Contains("done after 2 turns", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public void Misconfiguration_is_refused_when_the_agent_is_built()
    {
        ChatClientAgent agent = new ScriptedModel().AsAIAgent(name: "support");
        Assert.Throws<ArgumentException>(() => agent.AsBuilder().UseAgentQuotas(o => o.IdentityProvider = _ => Fixture.Acme));
        AIAgent once = agent.AsBuilder().UseAgentQuotas().Build();
        InvalidOperationException twice = Assert.Throws<InvalidOperationException>(() => once.AsBuilder().UseAgentQuotas().Build());
        Assert.Contains("already in this agent's pipeline", twice.Message);
    }
}
