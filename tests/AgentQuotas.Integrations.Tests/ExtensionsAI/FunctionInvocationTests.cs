using System.Reflection;
using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Guard;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Integrations.Tests.ExtensionsAI;

/// <summary>builder.UseAgentQuotas(): every function the real FunctionInvokingChatClient invokes is guarded.</summary>
public sealed class FunctionInvocationTests : IDisposable
{
    private readonly Fixture _f = new();
    private readonly ToolRegistry _registry = new();
    private int _refundsRun;
    private int _searchesRun;

    public void Dispose() => _f.Dispose();

    // An annotated method reached only through AIFunctionFactory (reflection): the registry gives its quota.
    private AIFunction Refund()
    {
        MethodInfo method = typeof(FunctionInvocationTests).GetMethod(nameof(IssueRefund), BindingFlags.NonPublic | BindingFlags.Instance)!;
        if (!_registry.TryGet(method, out _))
        {
            _registry.Register(new ToolDescriptor("issue_refund", "payments", 1, requiresApproval: true) { Method = method, Source = ToolSource.Annotated });
        }

        return AIFunctionFactory.Create(method, this, new AIFunctionFactoryOptions { Name = "issue_refund" });
    }

    private AIFunction Search() => AIFunctionFactory.Create((string query) => { _searchesRun++; return "hits for " + query; }, "web_search");

    private string IssueRefund(string orderId)
    {
        _refundsRun++;
        return "refunded " + orderId;
    }

    private IChatClient Pipeline(ScriptedModel model, Action<AgentQuotasChatClientOptions>? configure = null) =>
        model.AsBuilder().UseAgentQuotas(o =>
        {
            o.Registry = _registry;
            configure?.Invoke(o);
        }).Build();

    private static ChatOptions With(params AITool[] tools) => new() { Tools = [.. tools] };

    private static Dictionary<string, object?> Args(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

    private static JsonElement ResultOf(ScriptedModel model, int index = 0) =>
        JsonSerializer.SerializeToElement(model.ResultsSeen.ElementAt(index).Result, AIJsonUtilities.DefaultOptions);

    [Fact]
    public async Task A_privileged_tool_requiring_approval_never_runs_without_it_and_the_model_reads_why()
    {
        var model = new ScriptedModel([ScriptedModel.Call("issue_refund", Args("""{ "orderId": "A-1" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        ChatResponse response = await Pipeline(model).GetResponseAsync("refund A-1", With(Refund()));

        Assert.Equal(0, _refundsRun);
        JsonElement seen = ResultOf(model);
        Assert.Equal("quota", seen.GetProperty("error").GetString());
        Assert.Equal("ApprovalRequired", seen.GetProperty("reason").GetString());
        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, _f.Left("payments"), 9);
        Assert.Equal(2, run.Iterations);
        Assert.Equal("done after 2 turns", response.Text);
    }

    [Fact]
    public async Task An_approved_privileged_tool_runs_once()
    {
        using var f = new Fixture(new Approvals(_ => new(ApprovalDecision.Approve("lead"))));
        var model = new ScriptedModel([ScriptedModel.Call("issue_refund", Args("""{ "orderId": "A-1" }"""))]);
        using AgentRun run = f.Gate.BeginRun(Fixture.Acme);

        await Pipeline(model).GetResponseAsync("refund A-1", With(Refund()));

        Assert.Equal(1, _refundsRun);
        Assert.Equal("refunded A-1", model.ResultsSeen.Single().Result?.ToString());
        Assert.Equal(4, f.Left("payments"), 9);
    }

    [Fact]
    public async Task Outside_a_run_the_pipeline_fails_closed_before_any_model_turn_or_tool()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]);

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => Pipeline(model).GetResponseAsync("hi", With(Search())));

        Assert.Contains("can only run inside an agent run", e.Message);
        Assert.Equal(0, model.Calls);
        Assert.Equal(0, _searchesRun);
    }

    [Fact]
    public async Task A_wrapped_function_in_a_plain_function_invoking_client_fails_closed_outside_a_run()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]);
        IChatClient plain = model.AsBuilder().UseFunctionInvocation(configure: c => c.IncludeDetailedErrors = true).Build();

        await plain.GetResponseAsync("hi", With(Search().WithAgentQuotas()));

        Assert.Equal(0, _searchesRun);
        Assert.Contains("can only run inside an agent run", model.ResultsSeen.Single().Result?.ToString());
    }

    [Fact]
    public async Task Counters_and_audit_move_exactly_as_for_a_direct_call()
    {
        using (AgentRun direct = _f.Gate.BeginRun(Fixture.Acme))
        {
            QuotaTicket ticket = await direct.AcquireAsync(new QuotaTool("web_search", "search"), 3);
            ticket.Complete();
        }

        QuotaAuditRecord[] directTrail = [.. _f.Audit.Snapshot()];
        _f.Audit.Clear();
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "refunds" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Pipeline(model, o => o.Turns.CountIterations = false).GetResponseAsync("hi", With(Search()));

        Assert.Equal(1, _searchesRun);
        Assert.Equal((1, 3d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(10 - 6, _f.Left("search"), 9);
        Assert.Equal(directTrail.Select(r => (r.Decision, r.Tool, r.Category, r.PlannedCost, r.ActualCost, r.Reason, r.Mode)),
            _f.Audit.Snapshot().Select(r => (r.Decision, r.Tool, r.Category, r.PlannedCost, r.ActualCost, r.Reason, r.Mode)));
    }

    [Fact]
    public async Task A_denial_reaches_the_model_with_its_reason_and_retry_after()
    {
        var call = ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""));
        var model = new ScriptedModel([call, call, call, call]);   // 4 x 3 units from a bucket of 10
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Pipeline(model).GetResponseAsync("hi", With(Search()));

        Assert.Equal(3, _searchesRun);
        JsonElement refused = JsonSerializer.SerializeToElement(model.Requests[^1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Last().Result, AIJsonUtilities.DefaultOptions);
        Assert.Equal("BucketExhausted", refused.GetProperty("reason").GetString());
        Assert.Equal(2, refused.GetProperty("retryAfterSeconds").GetDouble(), 9);
        Assert.Contains("Retry after 2 s", refused.GetProperty("message").GetString());
        Assert.Equal(3, run.ToolCalls);
    }

    [Fact]
    public async Task A_tool_the_model_names_that_nobody_described_is_refused_with_the_fix()
    {
        int ran = 0;
        AIFunction stranger = AIFunctionFactory.Create(() => { ran++; return "dropped"; }, "drop_tables");
        var model = new ScriptedModel([ScriptedModel.Call("drop_tables"), ScriptedModel.Call("not_offered_at_all")]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Pipeline(model).GetResponseAsync("hi", With(stranger));

        Assert.Equal(0, ran);
        JsonElement refused = ResultOf(model);
        Assert.Equal("unknown_tool", refused.GetProperty("error").GetString());
        Assert.Contains("Tool 'drop_tables' has no quota", refused.GetProperty("message").GetString());
        Assert.Contains("not found", model.ResultsSeen.Last().Result?.ToString());   // never offered: the client itself says so
        QuotaAuditRecord record = Assert.Single(_f.Audit.Snapshot(), r => r.Reason == QuotaReason.UnknownTool);
        Assert.Equal("drop_tables", record.Tool);
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task A_policy_tool_requiring_approval_never_runs_without_it()
    {
        int ran = 0;
        AIFunction delete = AIFunctionFactory.Create(() => { ran++; return "gone"; }, "admin_delete_user");
        var model = new ScriptedModel([ScriptedModel.Call("admin_delete_user")]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Pipeline(model).GetResponseAsync("hi", With(delete));

        Assert.Equal(0, ran);
        Assert.Equal("ApprovalRequired", ResultOf(model).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_tool_that_throws_fails_its_ticket_and_the_model_reads_an_error()
    {
        AIFunction broken = AIFunctionFactory.Create(string () => throw new IOException("index offline"), "web_search");
        var model = new ScriptedModel([ScriptedModel.Call("web_search")]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Pipeline(model, o => o.ConfigureFunctionInvocation = c => c.IncludeDetailedErrors = true).GetResponseAsync("hi", With(broken));

        Assert.Contains("index offline", model.ResultsSeen.Single().Result?.ToString());
        Assert.Equal(AuditDecision.Failed, _f.Audit.Snapshot().Last(r => r.Category == "search").Decision);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task A_cancelled_request_charges_nothing_for_a_tool_that_never_ran()
    {
        using var cts = new CancellationTokenSource();
        using var f = new Fixture(new Approvals(_ =>
        {
            cts.Cancel();
            return new(ApprovalDecision.Approve("lead"));
        }));
        var model = new ScriptedModel([ScriptedModel.Call("issue_refund", Args("""{ "orderId": "A-1" }"""))]);
        using AgentRun run = f.Gate.BeginRun(Fixture.Acme);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Pipeline(model).GetResponseAsync("hi", With(Refund()), cts.Token));

        Assert.Equal(0, _refundsRun);
        Assert.Equal((0, 0d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(5, f.Left("payments"), 9);
    }

    [Fact]
    public async Task An_approval_service_that_throws_or_hangs_ends_in_a_refusal_the_model_reads()
    {
        var hang = new TaskCompletionSource<ApprovalDecision>();
        int asked = 0;
        using var f = new Fixture(new Approvals(_ => ++asked == 1 ? throw new InvalidOperationException("approvals down") : new(hang.Task)));
        var call = ScriptedModel.Call("issue_refund", Args("""{ "orderId": "A-1" }"""));
        var model = new ScriptedModel([call, call]);
        using AgentRun run = f.Gate.BeginRun(Fixture.Acme);

        Task<ChatResponse> pending = Pipeline(model).GetResponseAsync("hi", With(Refund()));
        while (!pending.IsCompleted && f.Time.ActiveTimers == 0)
        {
            await Task.Yield();   // until the second approval is waiting on the gate's timer
        }

        f.Time.Advance(TimeSpan.FromSeconds(30));
        await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, _refundsRun);
        FunctionResultContent[] results = [.. model.ResultsSeen];
        Assert.Contains("the approval service failed", JsonSerializer.SerializeToElement(results[0].Result, AIJsonUtilities.DefaultOptions).GetProperty("message").GetString());
        Assert.Contains("did not answer within 30 s", JsonSerializer.SerializeToElement(results[1].Result, AIJsonUtilities.DefaultOptions).GetProperty("message").GetString());
        Assert.Equal(5, f.Left("payments"), 9);
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task Generated_guarded_functions_are_charged_once_and_their_denials_reach_the_model()
    {
        var tools = new SupportTools();
        var model = new ScriptedModel(
            [ScriptedModel.Call("search_kb", Args("""{ "query": "refunds" }"""))],
            [ScriptedModel.Call("issue_refund", Args("""{ "orderId": "A-1", "amount": 12.5 }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Pipeline(model).GetResponseAsync("hi", new ChatOptions { Tools = [.. tools.CreateGuardedAIFunctions()] });

        Assert.Equal(1, tools.Searches);
        Assert.Equal(10 - 4, _f.Left("search"), 9);           // charged once, not twice
        Assert.Equal((0, 1), (tools.Refunds, tools.Drafts));  // unapproved: its fallback drafted it
        Assert.Equal(1, run.ToolCalls);
        Assert.Contains("draft refund", model.ResultsSeen.Last().Result is FallbackToolResult draft ? draft.Result?.ToString() : string.Empty);
    }

    [Fact]
    public void A_function_invoking_client_beneath_UseAgentQuotas_is_refused_at_build()
    {
        var model = new ScriptedModel();
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => model.AsBuilder().UseAgentQuotas().UseFunctionInvocation().Build());
        Assert.Contains("remove UseFunctionInvocation()", e.Message);
    }

    [Fact]
    public async Task A_function_invoking_client_above_UseAgentQuotas_does_not_run_tools_again()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Args("""{ "query": "x" }"""))]);
        IChatClient client = model.AsBuilder().UseFunctionInvocation().UseAgentQuotas(o => o.Registry = _registry).Build();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await client.GetResponseAsync("hi", With(Search()));

        Assert.Equal(1, _searchesRun);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task A_wrapped_function_whose_delegate_calls_the_annotated_tool_is_charged_once()
    {
        // WithAgentQuotas() guards by the name; the delegate's call of the annotated method is intercepted inside it.
        var tools = new SupportTools();
        AIFunction search = AIFunctionFactory.Create((string query) => tools.SearchKbAsync(query), "search_kb").WithAgentQuotas();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        double before = _f.Left("search");

        await search.InvokeAsync(new AIFunctionArguments { ["query"] = "x" });
        await search.InvokeAsync(new AIFunctionArguments { ["query"] = "y" });

        Assert.Equal(2, tools.Searches);
        Assert.Equal(2, run.ToolCalls);
        Assert.Equal(before - 2 * 4, _f.Left("search"), 9);
    }

    [Fact]
    public void Wrapping_is_idempotent()
    {
        AIFunction once = Search().WithAgentQuotas();
        Assert.Same(once, once.WithAgentQuotas());
        AIFunction generated = new SupportTools().CreateGuardedAIFunctions()[0];
        Assert.Same(generated, generated.WithAgentQuotas());
    }
}
