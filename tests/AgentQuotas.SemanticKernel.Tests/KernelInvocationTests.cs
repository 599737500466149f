using AgentQuotas.Audit;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.SemanticKernel.Tests.Harness;
using AgentQuotas.Tools;
using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel.Tests;

/// <summary>kernel.UseAgentQuotas(): every manual KernelFunction invocation gets the decision of a direct call.</summary>
public sealed class KernelInvocationTests : IDisposable
{
    private readonly Fixture _f = new();
    private readonly DeskPlugin _desk = new();
    private readonly WebPlugin _web = new();

    public void Dispose() => _f.Dispose();

    private Kernel Kernel(Action<AgentQuotasKernelOptions>? configure = null)
    {
        Kernel kernel = new Kernel().UseAgentQuotas(configure);
        kernel.Plugins.AddFromObject(_desk, "Desk");
        kernel.ImportPluginFromObject(_web, "Web");
        return kernel;
    }

    private static KernelArguments Args(params (string Name, object? Value)[] arguments)
    {
        var args = new KernelArguments();
        foreach ((string name, object? value) in arguments)
        {
            args[name] = value;
        }

        return args;
    }

    [Fact]
    public async Task A_privileged_function_requiring_approval_never_runs_without_it_by_any_manual_path()
    {
        Kernel kernel = Kernel();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        QuotaExceededException viaKernel = await Assert.ThrowsAsync<QuotaExceededException>(() =>
            kernel.InvokeAsync("Desk", "close_account", Args(("accountId", "C-1"))));
        QuotaExceededException viaPlugin = await Assert.ThrowsAsync<QuotaExceededException>(() =>
            kernel.Plugins["Desk"]["close_account"].InvokeAsync(kernel, Args(("accountId", "C-1"))));
        KernelPlugin imported = kernel.ImportPluginFromObject(new DeskPlugin(), "Imported");
        await Assert.ThrowsAsync<QuotaExceededException>(() => imported["close_account"].InvokeAsync(kernel, Args(("accountId", "C-1"))));

        Assert.Equal(0, _desk.Closures);
        Assert.Equal(QuotaReason.ApprovalRequired, viaKernel.Reason);
        Assert.Equal(QuotaReason.ApprovalRequired, viaPlugin.Reason);
        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, _f.Left("payments"), 9);
    }

    [Fact]
    public async Task An_approved_privileged_function_runs_once()
    {
        var approvals = new Approvals(_ => new(ApprovalDecision.Approve("lead")));
        using var f = new Fixture(approvals);
        Kernel kernel = Kernel();
        using AgentRun run = f.Gate.BeginRun(Fixture.Acme);

        FunctionResult result = await kernel.InvokeAsync("Desk", "close_account", Args(("accountId", "C-1")));

        Assert.Equal("closed C-1", result.GetValue<string>());
        Assert.Equal((1, 1), (_desk.Closures, approvals.Asked));
        Assert.Equal(4, f.Left("payments"), 9);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task An_unapproved_call_is_drafted_by_its_fallback_which_becomes_the_function_result()
    {
        Kernel kernel = Kernel(o => o.PluginTargets.Add(_desk));
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        FunctionResult result = await kernel.InvokeAsync("Desk", "issue_refund", Args(("orderId", "A-1"), ("amount", 12.5m)));

        Assert.Equal("draft refund of 12.5 for A-1", result.GetValue<string>());
        Assert.Equal((0, 1), (_desk.Refunds, _desk.Drafts));
        DegradedCall degraded = Assert.IsType<DegradedCall>(result.Metadata![AgentQuotasFunctionFilter.DegradationKey]);
        Assert.Equal(DegradationMode.DraftOnly, degraded.Mode);
        Assert.Same(degraded, run.LastDegradation);
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task An_instance_fallback_whose_plugin_object_is_unknown_drafts_nothing_and_says_why()
    {
        Kernel kernel = Kernel();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() =>
            kernel.InvokeAsync("Desk", "issue_refund", Args(("orderId", "A-1"), ("amount", 12.5m))));

        Assert.Equal((0, 0), (_desk.Refunds, _desk.Drafts));
        Assert.Equal(QuotaReason.ApprovalRequired, e.Reason);
    }

    [Fact]
    public async Task Outside_a_run_every_function_and_prompt_fails_closed()
    {
        Kernel kernel = Kernel();

        InvalidOperationException tool = await Assert.ThrowsAsync<InvalidOperationException>(() => kernel.InvokeAsync("Desk", "search_kb", Args(("query", "x"))));
        InvalidOperationException policyTool = await Assert.ThrowsAsync<InvalidOperationException>(() => kernel.InvokeAsync("Web", "web_search", Args(("query", "x"))));
        InvalidOperationException prompt = await Assert.ThrowsAsync<InvalidOperationException>(() => kernel.InvokePromptAsync("hello"));

        Assert.Contains("can only run inside an agent run", tool.Message);
        Assert.Contains("can only run inside an agent run", policyTool.Message);
        Assert.Contains("prompt function", prompt.Message);
        Assert.Equal((0, 0), (_desk.Searches, _web.Searches));
        Assert.Empty(_f.Audit.Snapshot());
    }

    [Fact]
    public async Task Counters_and_audit_move_exactly_as_for_a_direct_call()
    {
        using (AgentRun direct = _f.Gate.BeginRun(Fixture.Acme))
        {
            Assert.Equal("articles about refunds", _desk.SearchKb("refunds"));   // intercepted: the generated guard
            Assert.Equal((1, 4d), (direct.ToolCalls, direct.CostSpent));
        }

        QuotaAuditRecord[] directTrail = [.. _f.Audit.Snapshot()];
        _f.Audit.Clear();
        _f.Time.Advance(TimeSpan.FromSeconds(10));   // the bucket refills
        Kernel kernel = Kernel();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        FunctionResult result = await kernel.InvokeAsync("Desk", "search_kb", Args(("query", "refunds")));

        Assert.Equal("articles about refunds", result.GetValue<string>());
        Assert.Equal(2, _desk.Searches);
        Assert.Equal((1, 4d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(10 - 4, _f.Left("search"), 9);
        Assert.NotEmpty(directTrail);
        Assert.Equal(directTrail.Select(r => (r.Decision, r.Tool, r.Category, r.PlannedCost, r.ActualCost, r.Reason, r.Mode, r.Tenant, r.Principal)),
            _f.Audit.Snapshot().Select(r => (r.Decision, r.Tool, r.Category, r.PlannedCost, r.ActualCost, r.Reason, r.Mode, r.Tenant, r.Principal)));
    }

    [Fact]
    public async Task An_estimated_cost_is_computed_from_the_kernel_arguments()
    {
        Kernel kernel = Kernel();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await kernel.InvokeAsync("Desk", "estimate_summary", Args(("documents", 5)));

        Assert.Equal(6, run.CostSpent, 9);
        Assert.Equal(10 - 6, _f.Left("search"), 9);
    }

    [Fact]
    public async Task A_denial_carries_its_reason_and_retry_after()
    {
        Kernel kernel = Kernel();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        await kernel.InvokeAsync("Web", "web_search", Args(("query", "a")));
        await kernel.InvokeAsync("Web", "web_search", Args(("query", "b")));
        await kernel.InvokeAsync("Web", "web_search", Args(("query", "c")));

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => kernel.InvokeAsync("Web", "web_search", Args(("query", "d"))));

        Assert.Equal(QuotaReason.BucketExhausted, e.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), e.RetryAfter);
        Assert.Equal(3, _web.Searches);
        Assert.Equal(3, run.ToolCalls);
    }

    [Fact]
    public async Task A_function_nobody_described_is_refused_with_the_fix_and_recorded()
    {
        Kernel kernel = Kernel();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        UnknownToolException e = await Assert.ThrowsAsync<UnknownToolException>(() => kernel.InvokeAsync("Web", "drop_tables"));

        Assert.Equal(0, _web.Drops);
        Assert.Contains("Tool 'drop_tables' has no quota", e.Message);
        QuotaAuditRecord record = Assert.Single(_f.Audit.Snapshot());
        Assert.Equal((QuotaReason.UnknownTool, "drop_tables"), (record.Reason, record.Tool));
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task A_function_that_throws_fails_its_ticket_and_the_exception_reaches_the_caller()
    {
        _desk.SearchBody = () => throw new IOException("index offline");
        Kernel kernel = Kernel();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Assert.ThrowsAsync<IOException>(() => kernel.InvokeAsync("Desk", "search_kb", Args(("query", "x"))));

        Assert.Equal(AuditDecision.Failed, _f.Audit.Snapshot().Last().Decision);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task A_call_cancelled_while_waiting_for_approval_charges_nothing()
    {
        using var cts = new CancellationTokenSource();
        using var f = new Fixture(new Approvals(async _ =>
        {
            cts.Cancel();
            await Task.Delay(Timeout.Infinite, cts.Token);
            return ApprovalDecision.Approve("never");
        }));
        Kernel kernel = Kernel();
        using AgentRun run = f.Gate.BeginRun(Fixture.Acme);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kernel.InvokeAsync("Desk", "close_account", Args(("accountId", "C-1")), cts.Token));

        Assert.Equal(0, _desk.Closures);
        Assert.Equal((0, 0d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(5, f.Left("payments"), 9);
    }

    [Fact]
    public async Task An_approval_service_that_throws_or_hangs_ends_in_a_clear_refusal()
    {
        var hang = new TaskCompletionSource<ApprovalDecision>();
        int asked = 0;
        using var f = new Fixture(new Approvals(_ => ++asked == 1 ? throw new InvalidOperationException("approvals down") : new(hang.Task)));
        Kernel kernel = Kernel();
        using AgentRun run = f.Gate.BeginRun(Fixture.Acme);

        QuotaExceededException failed = await Assert.ThrowsAsync<QuotaExceededException>(() => kernel.InvokeAsync("Desk", "close_account", Args(("accountId", "C-1"))));
        Task<FunctionResult> pending = kernel.InvokeAsync("Desk", "close_account", Args(("accountId", "C-2")));
        while (!pending.IsCompleted && f.Time.ActiveTimers == 0)
        {
            await Task.Yield();   // until the approval is waiting on the gate's timer
        }

        f.Time.Advance(TimeSpan.FromSeconds(30));
        QuotaExceededException timedOut = await Assert.ThrowsAsync<QuotaExceededException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("the approval service failed", failed.Message);
        Assert.Contains("did not answer within 30 s", timedOut.Message);
        Assert.Equal(0, _desk.Closures);
        Assert.Equal(5, f.Left("payments"), 9);
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task A_streamed_function_runs_inside_the_guard_and_is_replayed()
    {
        Kernel kernel = Kernel();
        KernelFunction search = kernel.Plugins["Desk"]["search_kb"];

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (string _ in search.InvokeStreamingAsync<string>(kernel, Args(("query", "x"))))
            {
            }
        });
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        List<string> items = [];
        await foreach (string item in search.InvokeStreamingAsync<string>(kernel, Args(("query", "x"))))
        {
            items.Add(item);
        }

        Assert.Equal(["articles about x"], items);
        Assert.Equal(1, _desk.Searches);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task A_function_whose_delegate_calls_the_annotated_tool_is_charged_once_per_invocation()
    {
        // The function's delegate calls the annotated method, so the call is intercepted inside the filter's guard too:
        // the inner guard passes the admitted call through instead of charging it again.
        Kernel kernel = new Kernel().UseAgentQuotas();
        KernelFunction search = KernelFunctionFactory.CreateFromMethod((string query) => _desk.SearchKb(query), functionName: "search_kb");
        kernel.Plugins.AddFromFunctions("Wrapped", [search]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        double before = _f.Left("search");

        FunctionResult first = await kernel.InvokeAsync("Wrapped", "search_kb", Args(("query", "x")));
        await kernel.InvokeAsync("Wrapped", "search_kb", Args(("query", "y")));

        Assert.Equal("articles about x", first.GetValue<string>());
        Assert.Equal(2, _desk.Searches);
        Assert.Equal(2, run.ToolCalls);
        Assert.Equal(before - 2 * 4, _f.Left("search"), 9);
        Assert.Equal(2, _f.Audit.Snapshot().Count(r => r.Tool == "search_kb" && r.Decision == AuditDecision.Admitted));
    }

    [Fact]
    public async Task A_different_tool_called_from_inside_a_function_is_still_charged()
    {
        Kernel kernel = new Kernel().UseAgentQuotas();
        KernelFunction search = KernelFunctionFactory.CreateFromMethod(
            (string query) => _desk.SearchKb(query) + " / " + _desk.Summarize(2), functionName: "search_kb");
        kernel.Plugins.AddFromFunctions("Wrapped", [search]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        double before = _f.Left("search");

        await kernel.InvokeAsync("Wrapped", "search_kb", Args(("query", "x")));

        Assert.Equal(1, _desk.Searches);
        Assert.Equal(2, run.ToolCalls);                       // search_kb once, estimate_summary once
        Assert.Equal(before - 4 - 3, _f.Left("search"), 9);   // 4 for the search, 1 + 2 documents for the summary
    }

    [Fact]
    public void The_filters_are_added_once_however_often_they_are_asked_for()
    {
        Kernel kernel = new Kernel().UseAgentQuotas().UseAgentQuotas();
        IKernelBuilder builder = Microsoft.SemanticKernel.Kernel.CreateBuilder().AddAgentQuotas().AddAgentQuotas();
        Kernel built = builder.Build();

        Assert.Single(kernel.FunctionInvocationFilters);
        Assert.Single(kernel.AutoFunctionInvocationFilters);
        Assert.Single(built.FunctionInvocationFilters.OfType<AgentQuotasFunctionFilter>());
        Assert.Single(built.AutoFunctionInvocationFilters.OfType<AgentQuotasAutoFunctionFilter>());
        Assert.Throws<ArgumentNullException>(() => new Kernel().UseAgentQuotas(o => o.Registry = null!));
    }
}
