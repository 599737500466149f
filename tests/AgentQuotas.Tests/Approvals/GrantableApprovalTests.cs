using AgentQuotas.Audit;
using AgentQuotas.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using AgentQuotas.Testing;
using AgentQuotas.Tests.Tools;
using AgentQuotas.Tools;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Approvals;

// Issue 17 item 3: a pending approval is a handle that an operator can approve later, and the call then runs once.
public class GrantableApprovalTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Refund = new("issue_refund", "payments", isPrivileged: true, requiresApproval: true);
    private static readonly Dictionary<string, object?> Args = new() { ["orderId"] = "o-17", ["amount"] = 120.5m };

    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly InMemoryPendingApprovalStore _store = new();
    private readonly ApprovalBroker _broker;

    public GrantableApprovalTests()
    {
        _broker = new ApprovalBroker(_store, new ApprovalBrokerOptions { TimeProvider = _time, Expiry = TimeSpan.FromMinutes(30) });
    }

    private QuotaGate Gate() =>
        TestPolicies.Gate(TestPolicies.Simple(capacity: 5, refill: 0.05, category: "payments"), _time, o =>
        {
            o.ApprovalService = _broker;
            o.AuditSink = _audit;
        });

    private static async Task<PendingApproval> FileAsync(AgentRun run, IReadOnlyDictionary<string, object?>? args = null)
    {
        QuotaTicket first = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.For(args ?? Args));
        Assert.False(first.IsAdmitted);
        Assert.Equal(QuotaReason.ApprovalRequired, first.Decision.Reason);
        return Assert.IsType<PendingApproval>(first.Decision.Approval);
    }

    [Fact]
    public async Task A_pending_call_returns_a_handle_with_id_tool_digest_identity_and_expiry()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);

        QuotaTicket ticket = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.For(Args));

        QuotaExceededException e = Assert.Throws<QuotaExceededException>(ticket.ThrowIfDenied);
        PendingApproval handle = Assert.IsType<PendingApproval>(e.Approval);
        Assert.Equal(32, handle.Id.Length);
        Assert.Equal(("issue_refund", "payments", "acme", "user-42", run.Id), (handle.Tool, handle.Category, handle.Tenant, handle.Principal, handle.RunId));
        Assert.Equal(ApprovalBinding.DigestOf(Args), handle.ArgumentsDigest);
        Assert.Equal(64, handle.ArgumentsDigest.Length);
        Assert.Equal((TestTime.Start, TestTime.Start.AddMinutes(30)), (handle.RequestedAt, handle.ExpiresAt));
        Assert.Equal(PendingApprovalState.Pending, handle.State);
        Assert.Contains(handle.Id, ticket.Decision.Detail);
        Assert.Same(handle, Assert.Single(await _store.ListAsync("acme", includeClosed: false, 10, default)));
        Assert.Equal(DegradationMode.ApprovalRequired, Assert.Single(_audit.Snapshot()).Mode);
    }

    [Fact]
    public void The_digest_ignores_argument_order_and_json_whitespace_but_not_values()
    {
        var json = System.Text.Json.JsonDocument.Parse("""{ "b": [1, 2], "a": {"y": 1, "x": "t"} }""").RootElement;
        var same = System.Text.Json.JsonDocument.Parse("""{"a":{"x":"t","y":1},"b":[1,2]}""").RootElement;
        string digest = ApprovalBinding.DigestOf(new Dictionary<string, object?> { ["b"] = json.GetProperty("b"), ["a"] = json.GetProperty("a") });
        Assert.Equal(digest, ApprovalBinding.DigestOf(new Dictionary<string, object?> { ["a"] = same.GetProperty("a"), ["b"] = same.GetProperty("b") }));
        Assert.NotEqual(ApprovalBinding.DigestOf(Args), ApprovalBinding.DigestOf(new Dictionary<string, object?> { ["orderId"] = "o-17", ["amount"] = 120.6m }));
        ArgumentException e = Assert.Throws<ArgumentException>(() => ApprovalBinding.DigestOf(new Dictionary<string, object?> { ["x"] = new object() }));
        Assert.Contains("'arguments.x'", e.Message);
    }

    [Fact]
    public async Task Approved_later_the_call_resumes_once_and_the_operator_is_in_the_audit()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        PendingApproval handle = await FileAsync(run);

        ApprovalTransition approved = await _broker.ApproveAsync(handle.Id, "ops-alice", "refund checked");
        QuotaTicket resumed = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));
        resumed.Complete();
        QuotaTicket again = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));

        Assert.Equal(ApprovalTransitionOutcome.Applied, approved.Outcome);
        Assert.True(resumed.IsAdmitted);
        Assert.Equal(PendingApprovalState.Used, resumed.Decision.Approval!.State);
        Assert.False(again.IsAdmitted);
        Assert.Equal(QuotaReason.ApprovalAlreadyUsed, again.Decision.Reason);
        QuotaAuditRecord admitted = Assert.Single(_audit.Snapshot(), r => r.Decision == AuditDecision.Admitted);
        Assert.Equal($"approved by ops-alice (approval {handle.Id})", admitted.Detail);
    }

    [Fact]
    public async Task A_caller_waiting_in_process_continues_when_an_operator_approves()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        PendingApproval handle = await FileAsync(run);

        Task<PendingApproval> waiting = _broker.WaitForDecisionAsync(handle).AsTask();
        Assert.False(waiting.IsCompleted);
        await _broker.ApproveAsync(handle.Id, "ops-alice");
        PendingApproval decided = await waiting.WaitAsync(TimeSpan.FromSeconds(30)); // real-time guard against a hang only
        QuotaTicket resumed = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(decided, Args));

        Assert.Equal((PendingApprovalState.Approved, "ops-alice"), (decided.State, decided.DecidedBy));
        Assert.True(resumed.IsAdmitted);
    }

    [Fact]
    public async Task A_wait_for_a_decision_ends_at_expiry()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        PendingApproval handle = await FileAsync(run);

        Task<PendingApproval> waiting = _broker.WaitForDecisionAsync(handle).AsTask();
        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMinutes(1)); // the approval's expiry: the wait ends, undecided

        PendingApproval result = await waiting.WaitAsync(TimeSpan.FromSeconds(30)); // real-time guard against a hang only
        Assert.Equal(PendingApprovalState.Pending, result.State);
        Assert.True(result.IsExpiredAt(_time.GetUtcNow()));
    }

    [Fact]
    public async Task A_denied_call_never_runs_and_says_who_denied_it()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        PendingApproval handle = await FileAsync(run);

        await _broker.DenyAsync(handle.Id, "ops-bob", "amount above the refund limit");
        QuotaTicket resumed = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));
        ApprovalTransition lateApprove = await _broker.ApproveAsync(handle.Id, "ops-alice");

        Assert.False(resumed.IsAdmitted);
        Assert.Equal(QuotaReason.ApprovalDenied, resumed.Decision.Reason);
        Assert.Equal("Refused by ops-bob: amount above the refund limit", resumed.Decision.Detail);
        Assert.Equal(ApprovalTransitionOutcome.Conflict, lateApprove.Outcome);
        Assert.Equal(PendingApprovalState.Denied, lateApprove.Approval!.State);
    }

    [Fact]
    public async Task An_expired_approval_refuses_with_its_own_reason()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        PendingApproval approvedInTime = await FileAsync(run);
        PendingApproval neverDecided = await FileAsync(run);
        await _broker.ApproveAsync(approvedInTime.Id, "ops-alice");

        _time.Advance(TimeSpan.FromMinutes(30));
        QuotaTicket late = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(approvedInTime, Args));
        QuotaTicket undecided = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(neverDecided, Args));
        ApprovalTransition tooLate = await _broker.ApproveAsync(neverDecided.Id, "ops-alice");

        Assert.Equal(QuotaReason.ApprovalExpired, late.Decision.Reason);
        Assert.Contains("expired at 2026-11-21T09:30:00.0000000+00:00 before the call resumed", late.Decision.Detail);
        Assert.Equal(QuotaReason.ApprovalExpired, undecided.Decision.Reason);
        Assert.Contains("before an operator decided", undecided.Decision.Detail);
        Assert.Equal(ApprovalTransitionOutcome.Expired, tooLate.Outcome);
    }

    [Fact]
    public async Task An_approval_of_some_arguments_cannot_run_other_arguments_tools_or_identities()
    {
        using QuotaGate gate = Gate();
        PendingApproval handle;
        using (AgentRun run = gate.BeginRun(Acme))
        {
            handle = await FileAsync(run);
        }

        await _broker.ApproveAsync(handle.Id, "ops-alice");
        var otherArgs = new Dictionary<string, object?> { ["orderId"] = "o-17", ["amount"] = 99999m };
        QuotaTool otherTool = new("delete_account", "payments", isPrivileged: true, requiresApproval: true);

        using AgentRun same = gate.BeginRun(Acme);
        QuotaTicket byArgs = await same.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, otherArgs));
        QuotaTicket byTool = await same.AcquirePrivilegedAsync(otherTool, 1, ApprovalBinding.Resume(handle, Args));
        same.Dispose();
        using AgentRun otherPrincipal = gate.BeginRun(new AgentIdentity("acme", "user-7"));
        QuotaTicket byPrincipal = await otherPrincipal.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));
        otherPrincipal.Dispose();

        Assert.Equal(QuotaReason.ApprovalMismatch, byArgs.Decision.Reason);
        Assert.Contains("other arguments", byArgs.Decision.Detail);
        Assert.Equal(QuotaReason.ApprovalMismatch, byTool.Decision.Reason);
        Assert.Equal(QuotaReason.ApprovalMismatch, byPrincipal.Decision.Reason);
        Assert.Null(byPrincipal.Decision.Approval); // another principal learns nothing about it
        Assert.Equal(PendingApprovalState.Approved, (await _store.FindAsync(handle.Id, default))!.State); // still usable by its own call

        using AgentRun rightful = gate.BeginRun(Acme);
        Assert.True((await rightful.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args))).IsAdmitted);
    }

    [Fact]
    public async Task Racing_approvers_and_racing_resumes_each_succeed_exactly_once()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        PendingApproval handle = await FileAsync(run);

        // Released together without blocking a pool thread (a Barrier here needed 8 pool threads at once, and hung
        // the whole suite on a 2-core machine while other tests held the pool).
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<ApprovalTransition>[] approving = [.. Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await _broker.ApproveAsync(handle.Id, "ops-" + i);
        }))];
        start.SetResult();
        ApprovalTransition[] approvals = await Task.WhenAll(approving);
        QuotaTicket[] resumes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using AgentRun mine = gate.BeginRun(Acme);
            return await mine.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));
        })));

        Assert.Single(approvals, a => a.Applied);
        Assert.Equal(7, approvals.Count(a => a.Outcome == ApprovalTransitionOutcome.Conflict));
        Assert.Single(resumes, t => t.IsAdmitted);
        Assert.All(resumes.Where(t => !t.IsAdmitted), t => Assert.Equal(QuotaReason.ApprovalAlreadyUsed, t.Decision.Reason));
    }

    [Fact]
    public async Task A_framework_call_resumes_with_its_approval_id_and_its_arguments_are_checked()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        var tool = new ToolDescriptor("issue_refund", "payments", 1, requiresApproval: true);
        int ran = 0;
        ValueTask<object?> Invoke(CancellationToken _)
        {
            ran++;
            return new ValueTask<object?>("refunded");
        }

        ToolCallResult first = await GuardedToolInvoker.InvokeAsync(new ToolCall(tool.Name, Args) { Descriptor = tool }, Invoke);
        PendingApproval handle = first.Decision!.Value.Approval!;
        await _broker.ApproveAsync(handle.Id, "ops-alice");
        ToolCallResult tampered = await GuardedToolInvoker.InvokeAsync(
            new ToolCall(tool.Name, new Dictionary<string, object?> { ["orderId"] = "o-99", ["amount"] = 120.5m }) { Descriptor = tool, ApprovalId = handle.Id }, Invoke);
        ToolCallResult resumed = await GuardedToolInvoker.InvokeAsync(new ToolCall(tool.Name, Args) { Descriptor = tool, ApprovalId = handle.Id }, Invoke);

        Assert.Equal(ToolCallOutcome.Denied, first.Outcome);
        Assert.Equal(QuotaReason.ApprovalMismatch, tampered.Reason);
        Assert.Equal((ToolCallOutcome.Ran, "refunded"), (resumed.Outcome, resumed.Value));
        Assert.Equal(1, ran);
    }

    [Fact]
    public async Task Refusals_with_the_new_reasons_are_counted_under_their_names()
    {
        using QuotaGate gate = Gate();
        using var denied = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Denied);
        using AgentRun run = gate.BeginRun(Acme);
        PendingApproval handle = await FileAsync(run);
        await _broker.ApproveAsync(handle.Id, "ops-alice");

        await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, new Dictionary<string, object?>()));  // mismatch
        Assert.True((await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args))).IsAdmitted);
        await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));                               // already used
        _time.Advance(TimeSpan.FromHours(1));
        PendingApproval other = await FileAsync(run);
        _time.Advance(TimeSpan.FromHours(1));
        await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(other, Args));                                // expired

        string[] reasons = denied.GetMeasurementSnapshot().Select(m => (string)m.Tags[QuotaTelemetry.Tags.Reason]!).ToArray();
        Assert.Equal(["ApprovalMismatch", "ApprovalAlreadyUsed", "ApprovalExpired"], reasons);
    }
}
