using AgentQuotas.Audit;
using AgentQuotas.Guard;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using AgentQuotas.Tools;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Tools;

public class GuardedToolInvokerTests
{
    internal const string PolicyJson = """
        {
          "version": "v1",
          "tiers": { "standard": {
            "categories": {
              "search":   { "capacity": 10, "refillPerSecond": 1 },
              "payments": { "capacity": 5,  "refillPerSecond": 0.05 } } } },
          "defaultTier": "standard",
          // Without the Queued rung a refused call returns at once instead of waiting for a refill the test clock never brings.
          "degradation": ["Full", "DraftOnly", "ApprovalRequired"],
          "tools": {
            "web_search":    { "category": "search", "cost": 3 },
            "admin_delete_*": { "category": "payments", "cost": 1, "requiresApproval": true }
          }
        }
        """;

    private static readonly AgentIdentity Acme = new("acme", "user-42");

    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();

    private static readonly ToolDescriptor Search = new("search_kb", "search", 4);
    private static readonly ToolDescriptor Refund = new("issue_refund", "payments", 1, requiresApproval: true);
    private static readonly ToolDescriptor RefundWithDraft = new("issue_refund", "payments", 1, requiresApproval: true)
    {
        Fallback = static (_, args, _) => new ValueTask<object?>("draft refund of " + ((System.Text.Json.JsonElement)args["amount"]!).GetDecimal()),
    };

    private QuotaGate Gate(IApprovalService? approvals = null, string policy = PolicyJson) =>
        TestPolicies.Gate(QuotaPolicy.Parse(policy), _time, o =>
        {
            o.AuditSink = _audit;
            if (approvals is not null)
            {
                o.ApprovalService = approvals;
            }
        });

    private static double Left(QuotaGate gate, string category) =>
        gate.Store.Peek(new BucketKey("acme", category), gate.Policy.Tiers["standard"].Categories[category].Limits).Available;

    private static ToolCall Call(ToolDescriptor tool, string? argumentsJson = null) =>
        new(tool.Name, Arguments(argumentsJson)) { Descriptor = tool };

    private static Dictionary<string, object?> Arguments(string? json) =>
        json is null
            ? []
            : System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

    [Fact]
    public async Task Outside_a_run_the_call_fails_closed_and_the_tool_never_runs()
    {
        int ran = 0;
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await GuardedToolInvoker.InvokeAsync(Call(Search), _ => { ran++; return new ValueTask<object?>("x"); }));
        Assert.Contains("can only run inside an agent run", e.Message);
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task An_admitted_call_runs_once_and_moves_the_counters_and_the_audit_trail_like_a_direct_call()
    {
        using QuotaGate gate = Gate();
        using (AgentRun direct = gate.BeginRun(Acme))
        {
            QuotaTicket ticket = await direct.AcquireAsync(Search.QuotaTool, 4);
            ticket.Complete();
        }

        QuotaAuditRecord[] directTrail = _audit.Snapshot().ToArray();
        _audit.Clear();
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(Call(Search), _ => { ran++; return new ValueTask<object?>("found"); });

        Assert.Equal(ToolCallOutcome.Ran, result.Outcome);
        Assert.Equal("found", result.ToModelResult());
        Assert.Equal(1, ran);
        Assert.Equal((1, 4d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(10 - 8, Left(gate, "search"), 9);          // 4 for the direct call, 4 for this one
        Assert.Equal(directTrail.Select(r => (r.Decision, r.Tool, r.Category, r.PlannedCost, r.ActualCost, r.Reason, r.Mode)),
            _audit.Snapshot().Select(r => (r.Decision, r.Tool, r.Category, r.PlannedCost, r.ActualCost, r.Reason, r.Mode)));
    }

    [Fact]
    public async Task A_result_that_reports_its_actual_cost_corrects_the_charge()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        await GuardedToolInvoker.InvokeAsync(Call(Search), _ => new ValueTask<object?>(new Reported(1.5)));
        Assert.Equal(1.5, run.CostSpent, 9);
        Assert.Equal(10 - 1.5, Left(gate, "search"), 9);
        Assert.Equal(1.5, _audit.Snapshot().Last().ActualCost);
    }

    [Fact]
    public async Task A_denied_call_returns_its_reason_and_retry_after_and_the_tool_never_runs()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;
        ValueTask<object?> Tool(CancellationToken _)
        {
            ran++;
            return new ValueTask<object?>("found");
        }

        await GuardedToolInvoker.InvokeAsync(Call(Search), Tool);
        await GuardedToolInvoker.InvokeAsync(Call(Search), Tool);
        ToolCallResult denied = await GuardedToolInvoker.InvokeAsync(Call(Search), Tool);   // 2 units left, costs 4

        Assert.Equal(ToolCallOutcome.Denied, denied.Outcome);
        Assert.Equal(QuotaReason.BucketExhausted, denied.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), denied.RetryAfter);
        Assert.Equal(2, ran);
        Assert.Equal(2, run.ToolCalls);
        ToolRefusal refusal = Assert.IsType<ToolRefusal>(denied.ToModelResult());
        Assert.Equal(("quota", "BucketExhausted", 2d), (refusal.Error, refusal.Reason, refusal.RetryAfterSeconds!.Value));
        Assert.Contains("Retry after 2 s", refusal.Message);
        Assert.Equal(QuotaReason.BucketExhausted, Assert.IsType<QuotaExceededException>(denied.ToException()).Reason);
    }

    [Fact]
    public async Task A_privileged_tool_never_runs_without_approval()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(Call(Refund), _ => { ran++; return new ValueTask<object?>("refunded"); });

        Assert.Equal(ToolCallOutcome.Denied, result.Outcome);
        Assert.Equal(QuotaReason.ApprovalRequired, result.Reason);
        Assert.Equal(0, ran);
        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, Left(gate, "payments"), 9);
        Assert.Equal(AuditDecision.Degraded, Assert.Single(_audit.Snapshot()).Decision);
    }

    [Fact]
    public async Task An_unapproved_privileged_tool_with_a_fallback_serves_a_marked_draft()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(Call(RefundWithDraft, """{ "amount": 12.5 }"""),
            _ => { ran++; return new ValueTask<object?>("refunded"); });

        Assert.Equal(ToolCallOutcome.Drafted, result.Outcome);
        Assert.Equal(0, ran);
        Assert.Equal("draft refund of 12.5", result.Value);
        FallbackToolResult draft = Assert.IsType<FallbackToolResult>(result.ToModelResult());
        Assert.Equal(("DraftOnly", "ApprovalRequired"), (draft.Mode, draft.Reason));
        Assert.Equal("issue_refund", Assert.Single(run.Degradations).Tool);
        Assert.Equal(5, Left(gate, "payments"), 9);
    }

    [Fact]
    public async Task An_instance_fallback_without_its_instance_is_refused_rather_than_guessed()
    {
        var tool = new ToolDescriptor("issue_refund", "payments", 1, requiresApproval: true)
        {
            Fallback = static (target, _, _) => new ValueTask<object?>(target!.ToString()),
            FallbackNeedsTarget = true,
        };
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);

        ToolCallResult withoutTarget = await GuardedToolInvoker.InvokeAsync(Call(tool), _ => new ValueTask<object?>("refunded"));
        ToolCallResult withTarget = await GuardedToolInvoker.InvokeAsync(new ToolCall(tool.Name) { Descriptor = tool, Target = "tools#1" },
            _ => new ValueTask<object?>("refunded"));

        Assert.Equal(ToolCallOutcome.Denied, withoutTarget.Outcome);
        Assert.Contains("needs the tool's instance", withoutTarget.Message);
        Assert.Equal((ToolCallOutcome.Drafted, "tools#1"), (withTarget.Outcome, withTarget.Value));
    }

    [Fact]
    public async Task A_fallback_chain_is_walked_in_order_past_refusals_and_missing_instances()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        ToolCallResult refusal = await GuardedToolInvoker.InvokeAsync(Call(Refund), _ => new ValueTask<object?>("refunded"));
        var refused = new QuotaExceededException(refusal.Decision!.Value);
        var tried = new List<string>();
        ToolFallbackStep Step(string name, bool needsTarget, Func<object?> serve) =>
            new((_, _, _) => { tried.Add(name); return new ValueTask<object?>(serve()); }, needsTarget);
        var tool = new ToolDescriptor("issue_refund", "payments", 1, requiresApproval: true)
        {
            FallbackChain =
            [
                Step("instance draft", needsTarget: true, () => "instance draft"),
                Step("draft", needsTarget: false, () => throw refused),
                Step("summary", needsTarget: false, () => "summary"),
                Step("never", needsTarget: false, () => "never"),
            ],
        };

        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(Call(tool), _ => new ValueTask<object?>("refunded"));

        Assert.Equal((ToolCallOutcome.Drafted, "summary"), (result.Outcome, result.Value));
        Assert.Equal(["draft", "summary"], tried);           // no instance: the first is passed over; the refused one hands over
        Assert.Single(run.Degradations);                      // degraded once, however many fallbacks were tried
        Assert.True(tool.QuotaTool.HasFallback);
    }

    [Fact]
    public async Task When_every_fallback_of_a_chain_is_refused_the_last_refusal_surfaces()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        ToolCallResult refusal = await GuardedToolInvoker.InvokeAsync(Call(Refund), _ => new ValueTask<object?>("refunded"));
        var first = new QuotaExceededException(refusal.Decision!.Value);
        var last = new QuotaExceededException(refusal.Decision!.Value);
        var tool = new ToolDescriptor("issue_refund", "payments", 1, requiresApproval: true)
        {
            FallbackChain =
            [
                new((_, _, _) => throw first, false),
                new((_, _, _) => throw last, false),
            ],
        };

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(
            async () => await GuardedToolInvoker.InvokeAsync(Call(tool), _ => new ValueTask<object?>("refunded")));

        Assert.Same(last, e);
    }

    [Fact]
    public async Task An_approved_call_runs()
    {
        using QuotaGate gate = Gate(new Approvals(_ => new ValueTask<ApprovalDecision>(ApprovalDecision.Approve("finance-lead"))));
        using AgentRun run = gate.BeginRun(Acme);
        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(Call(Refund), _ => new ValueTask<object?>("refunded"));
        Assert.Equal((ToolCallOutcome.Ran, "refunded"), (result.Outcome, result.Value));
        Assert.Equal(4, Left(gate, "payments"), 9);
    }

    [Fact]
    public async Task An_approval_service_that_throws_approves_nothing()
    {
        using QuotaGate gate = Gate(new Approvals(_ => throw new TimeoutException("approval backend down")));
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;
        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(Call(Refund), _ => { ran++; return new ValueTask<object?>("refunded"); });
        Assert.Equal((ToolCallOutcome.Denied, QuotaReason.ApprovalRequired, 0), (result.Outcome, result.Reason, ran));
        Assert.Contains("the approval service failed (TimeoutException)", result.Message);
        Assert.Equal(5, Left(gate, "payments"), 9);
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task An_approval_service_that_hangs_is_bounded_by_the_approval_timeout()
    {
        var hang = new TaskCompletionSource<ApprovalDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        using QuotaGate gate = Gate(new Approvals(_ => new ValueTask<ApprovalDecision>(hang.Task)));   // ignores cancellation too
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        ValueTask<ToolCallResult> pending = GuardedToolInvoker.InvokeAsync(Call(Refund), _ => { ran++; return new ValueTask<object?>("refunded"); });
        Assert.False(pending.IsCompleted);
        Assert.Equal(4, Left(gate, "payments"), 9);         // held while the approver is asked
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        ToolCallResult result = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((ToolCallOutcome.Denied, QuotaReason.ApprovalRequired, 0), (result.Outcome, result.Reason, ran));
        Assert.Contains("did not answer within 30 s", result.Message);
        Assert.Equal(5, Left(gate, "payments"), 9);
        Assert.Equal(0, run.ToolCalls);
        hang.SetResult(ApprovalDecision.Approve("too-late"));   // a late yes changes nothing
        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, Left(gate, "payments"), 9);
    }

    [Fact]
    public async Task A_tool_that_throws_fails_its_ticket_and_the_exception_reaches_the_caller()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        await Assert.ThrowsAsync<IOException>(async () =>
            await GuardedToolInvoker.InvokeAsync(Call(Search), _ => throw new IOException("index offline")));
        QuotaAuditRecord failed = _audit.Snapshot().Last();
        Assert.Equal(AuditDecision.Failed, failed.Decision);
        Assert.Contains("index offline", failed.Detail);
        Assert.Equal(1, run.ToolCalls);                      // it ran: the charge stands, as for a direct call
        Assert.Equal(6, Left(gate, "search"), 9);
    }

    [Fact]
    public async Task A_call_cancelled_before_admission_charges_nothing()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int ran = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await GuardedToolInvoker.InvokeAsync(Call(Search), _ => { ran++; return default; }, cts.Token));
        Assert.Equal((0, 0, 10d), (ran, run.ToolCalls, Left(gate, "search")));
    }

    [Fact]
    public async Task A_call_cancelled_after_admission_but_before_the_tool_started_is_withdrawn()
    {
        using var cts = new CancellationTokenSource();
        using QuotaGate gate = Gate(new Approvals(_ =>
        {
            cts.Cancel();                                    // the caller gives up while the approver says yes
            return new ValueTask<ApprovalDecision>(ApprovalDecision.Approve("finance-lead"));
        }));
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await GuardedToolInvoker.InvokeAsync(Call(Refund), _ => { ran++; return default; }, cts.Token));

        Assert.Equal(0, ran);
        Assert.Equal((0, 0d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(5, Left(gate, "payments"), 9);
        QuotaAuditRecord[] trail = [.. _audit.Snapshot()];
        Assert.Equal([AuditDecision.Admitted, AuditDecision.Denied], trail.Select(r => r.Decision));
        Assert.Equal(QuotaReason.Cancelled, trail[1].Reason);
    }

    [Fact]
    public async Task An_unknown_tool_is_refused_with_the_fix_and_recorded()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(new ToolCall("drop_tables"), _ => { ran++; return default; });

        Assert.Equal(ToolCallOutcome.UnknownTool, result.Outcome);
        Assert.Equal(0, ran);
        Assert.Contains("Tool 'drop_tables' has no quota", result.Message);
        Assert.Contains("\"tools\": { \"drop_tables\": { \"category\": \"...\", \"cost\": 1 } }", result.Message);
        ToolRefusal refusal = Assert.IsType<ToolRefusal>(result.ToModelResult());
        Assert.Equal("unknown_tool", refusal.Error);
        QuotaAuditRecord record = Assert.Single(_audit.Snapshot());
        Assert.Equal((AuditDecision.Denied, QuotaReason.UnknownTool, "drop_tables"), (record.Decision, record.Reason, record.Tool));
        Assert.Equal(0, run.ToolCalls);
        Assert.IsType<UnknownToolException>(result.ToException());
    }

    [Fact]
    public async Task A_catch_all_entry_in_the_policy_lets_unknown_tools_run_under_its_quota()
    {
        using QuotaGate gate = Gate(policy: PolicyJson.Replace("\"web_search\":", "\"*\": { \"category\": \"search\", \"cost\": 1 }, \"web_search\":"));
        using AgentRun run = gate.BeginRun(Acme);
        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(new ToolCall("drop_tables"), _ => new ValueTask<object?>("dropped"));
        Assert.Equal(ToolCallOutcome.Ran, result.Outcome);
        Assert.Equal(ToolSource.Policy, result.Tool!.Source);
        Assert.Equal(9, Left(gate, "search"), 9);
        Assert.Equal("drop_tables", _audit.Snapshot().First().Tool);
    }

    [Theory]
    [InlineData("drop\ntables")]
    [InlineData("drop\0")]
    [InlineData("lone surrogate")] // built below: attribute data cannot carry a lone surrogate
    public async Task A_tool_name_from_the_model_that_breaks_the_identity_rule_is_refused_even_under_a_catch_all(string name)
    {
        name = name == "lone surrogate" ? "lone" + '\ud800' + "surrogate" : name;
        using QuotaGate gate = Gate(policy: PolicyJson.Replace("\"web_search\":", "\"*\": { \"category\": \"search\", \"cost\": 1 }, \"web_search\":"));
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(new ToolCall(name), _ => { ran++; return default; });

        Assert.Equal(ToolCallOutcome.UnknownTool, result.Outcome);
        Assert.Equal(0, ran);
        Assert.Contains("was refused: its name", result.Message);
        Assert.Equal(10, Left(gate, "search"), 9);
        Assert.Equal(AuditDecision.Denied, Assert.Single(_audit.Snapshot()).Decision);
    }

    [Fact]
    public async Task Policy_tools_get_their_quota_and_privilege_from_the_policy()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;

        ToolCallResult search = await GuardedToolInvoker.InvokeAsync(new ToolCall("web_search"), _ => { ran++; return new ValueTask<object?>("hits"); });
        ToolCallResult delete = await GuardedToolInvoker.InvokeAsync(new ToolCall("admin_delete_user"), _ => { ran++; return new ValueTask<object?>("deleted"); });

        Assert.Equal(ToolCallOutcome.Ran, search.Outcome);
        Assert.Equal(7, Left(gate, "search"), 9);
        Assert.Equal((ToolCallOutcome.Denied, QuotaReason.ApprovalRequired), (delete.Outcome, delete.Reason));
        Assert.Equal(1, ran);
    }

    [Fact]
    public async Task Annotated_tools_win_over_the_policy_and_are_found_by_method_or_name()
    {
        var registry = new ToolRegistry();
        var annotated = new ToolDescriptor("web_search", "payments", 2) { Method = typeof(GuardedToolInvokerTests).GetMethod(nameof(Dummy), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static) };
        registry.Register(annotated);
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);

        ToolCallResult byName = await GuardedToolInvoker.InvokeAsync(new ToolCall("web_search") { Registry = registry }, _ => default);
        ToolCallResult byMethod = await GuardedToolInvoker.InvokeAsync(new ToolCall("renamed") { Registry = registry, Method = annotated.Method }, _ => default);

        Assert.Same(annotated, byName.Tool);
        Assert.Same(annotated, byMethod.Tool);
        Assert.Equal(1, Left(gate, "payments"), 9);
        Assert.Equal(10, Left(gate, "search"), 9);
    }

    [Fact]
    public async Task An_estimator_that_cannot_read_its_arguments_charges_nothing()
    {
        var summarize = new ToolDescriptor("summarize", "search", args =>
            5 + (2 * ToolArguments.Required(args, "summarize", "docs", System.Text.Json.Serialization.Metadata.JsonTypeInfo.CreateJsonTypeInfo<string[]>(System.Text.Json.JsonSerializerOptions.Default)).Length));
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);

        ToolCallResult bad = await GuardedToolInvoker.InvokeAsync(Call(summarize, """{ "docs": 7 }"""), _ => default);
        ToolCallResult good = await GuardedToolInvoker.InvokeAsync(Call(summarize, """{ "docs": ["a"] }"""), _ => default);

        Assert.Equal(ToolCallOutcome.InvalidArguments, bad.Outcome);
        Assert.Contains("the argument 'docs' must be a JSON array", bad.Message);
        Assert.Equal(ToolCallOutcome.Ran, good.Outcome);
        Assert.Equal(10 - 7, Left(gate, "search"), 9);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task Concurrent_calls_never_admit_more_than_the_bucket_holds()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        int ran = 0;
        var one = new ToolDescriptor("ping", "search", 1);

        ToolCallResult[] results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
            await GuardedToolInvoker.InvokeAsync(Call(one), _ => { Interlocked.Increment(ref ran); return new ValueTask<object?>("pong"); }))));

        Assert.Equal(10, ran);
        Assert.Equal(10, results.Count(r => r.Ran));
        Assert.Equal(54, results.Count(r => r.Outcome == ToolCallOutcome.Denied));
        Assert.Equal(10, run.ToolCalls);
        Assert.Equal(0, Left(gate, "search"), 9);
    }

    internal static void Dummy()
    {
    }

    private sealed record Reported(double? ActualCost) : IActualCost;

    private sealed class Approvals(Func<ApprovalRequest, ValueTask<ApprovalDecision>> decide) : IApprovalService
    {
        public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken) => decide(request);
    }
}
