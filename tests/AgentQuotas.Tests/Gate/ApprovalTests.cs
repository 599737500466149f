using AgentQuotas.Audit;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Gate;

public class ApprovalTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Refund = new("issue_refund", "payments", isPrivileged: true, requiresApproval: true);
    private static readonly QuotaTool RefundWithDraft = new("issue_refund", "payments", requiresApproval: true, hasFallback: true);

    private readonly FakeTimeProvider _time = TestTime.Create();

    private QuotaGate Gate(IApprovalService? approvals = null, InMemoryAuditSink? audit = null) =>
        TestPolicies.Gate(TestPolicies.Simple(capacity: 5, refill: 0.05, category: "payments"), _time, o =>
        {
            if (approvals is not null)
            {
                o.ApprovalService = approvals;
            }

            o.AuditSink = audit;
        });

    private static double Left(QuotaGate gate) =>
        gate.Store.Peek(new BucketKey("acme", "payments"), gate.Policy.Tiers["standard"].Categories["payments"].Limits).Available;

    [Fact]
    public void Without_an_approval_service_privileged_calls_never_run()
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = Gate(audit: audit);
        using AgentRun run = gate.BeginRun(Acme);

        QuotaTicket ticket = run.Acquire(Refund, 1);

        Assert.False(ticket.IsAdmitted);
        Assert.Equal(QuotaReason.ApprovalRequired, ticket.Decision.Reason);
        Assert.Equal(DegradationMode.ApprovalRequired, ticket.Mode);
        Assert.Contains("approval required", ticket.Decision.Detail);
        Assert.Equal(5, Left(gate), 9);                           // the unit taken was given back
        Assert.Equal(0, run.ToolCalls);                           // and so was the run's reservation
        QuotaAuditRecord record = Assert.Single(audit.Snapshot());
        Assert.Equal(AuditDecision.Degraded, record.Decision);
        Assert.Equal(DegradationMode.ApprovalRequired, record.Mode);
        QuotaExceededException e = Assert.Throws<QuotaExceededException>(ticket.ThrowIfDenied);
        Assert.Contains("approval required; nothing was done", e.Message);
    }

    [Fact]
    public void A_tool_with_a_fallback_degrades_to_a_draft_when_not_approved()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme);
        QuotaTicket ticket = run.Acquire(RefundWithDraft, 1);
        Assert.False(ticket.IsAdmitted);
        Assert.Equal(DegradationMode.DraftOnly, ticket.Mode);
        Assert.Equal(QuotaReason.ApprovalRequired, ticket.Decision.Reason);
    }

    [Fact]
    public void An_approved_call_runs_and_the_approver_is_recorded()
    {
        var approvals = new RecordingApprovals(_ => ApprovalDecision.Approve("finance-lead"));
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = Gate(approvals, audit);
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High, "refunds");

        QuotaTicket ticket = run.Acquire(Refund, 1);

        Assert.True(ticket.IsAdmitted);
        ApprovalRequest request = Assert.Single(approvals.Requests);
        Assert.Equal(Acme, request.Identity);
        Assert.Equal(WorkloadClass.High, request.WorkloadClass);
        Assert.Equal("refunds", request.Workflow);
        Assert.Equal(run.Id, request.RunId);
        Assert.Same(Refund, request.Tool);
        Assert.Equal("v1", request.PolicyVersion);
        Assert.Equal("approved by finance-lead", Assert.Single(audit.Snapshot()).Detail);
        Assert.Equal(4, Left(gate), 9);
    }

    [Fact]
    public void A_refusal_is_reported_with_the_approver()
    {
        using QuotaGate gate = Gate(new RecordingApprovals(_ => ApprovalDecision.Deny("amount too high", "finance-lead")));
        using AgentRun run = gate.BeginRun(Acme);
        QuotaTicket ticket = run.Acquire(Refund, 1);
        Assert.Equal(QuotaReason.ApprovalDenied, ticket.Decision.Reason);
        Assert.Equal(DegradationMode.Rejected, ticket.Mode);
        Assert.Contains("Refused by finance-lead: amount too high", ticket.Decision.Detail);
        Assert.Equal(5, Left(gate), 9);
    }

    [Fact]
    public void A_failing_approval_service_fails_closed()
    {
        using QuotaGate gate = Gate(new RecordingApprovals(_ => throw new TimeoutException("approvals API down")));
        using AgentRun run = gate.BeginRun(Acme);
        QuotaTicket ticket = run.Acquire(Refund, 1);
        Assert.False(ticket.IsAdmitted);
        Assert.Equal(QuotaReason.ApprovalRequired, ticket.Decision.Reason);
        Assert.Contains("TimeoutException", ticket.Decision.Detail);
        Assert.Equal(5, Left(gate), 9);
    }

    [Fact]
    public async Task The_async_path_waits_for_an_asynchronous_approver()
    {
        var approver = new AsyncApprovals();
        using QuotaGate gate = Gate(approver);
        using AgentRun run = gate.BeginRun(Acme);

        ValueTask<QuotaTicket> pending = run.AcquireAsync(Refund, 1);
        Assert.False(pending.IsCompleted);
        approver.Answer.SetResult(ApprovalDecision.Approve("on-call"));
        QuotaTicket ticket = await pending;

        Assert.True(ticket.IsAdmitted);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task Cancelling_while_waiting_for_approval_gives_everything_back()
    {
        var approver = new AsyncApprovals();
        using QuotaGate gate = Gate(approver);
        using AgentRun run = gate.BeginRun(Acme);
        using var cts = new CancellationTokenSource();

        ValueTask<QuotaTicket> pending = run.AcquireAsync(Refund, 1, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);

        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, Left(gate), 9);
    }

    [Fact]
    public void The_sync_path_treats_an_asynchronous_answer_as_pending()
    {
        var approver = new AsyncApprovals();
        using QuotaGate gate = Gate(approver);
        using AgentRun run = gate.BeginRun(Acme);
        QuotaTicket ticket = run.Acquire(Refund, 1);
        Assert.Equal(QuotaReason.ApprovalRequired, ticket.Decision.Reason);
        Assert.Contains("async path", ticket.Decision.Detail);
        approver.Answer.SetResult(ApprovalDecision.Approve("late")); // a late answer changes nothing
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public void Approvers_are_not_asked_about_calls_the_budget_would_refuse()
    {
        var approvals = new RecordingApprovals(_ => ApprovalDecision.Approve("finance-lead"));
        using QuotaGate gate = Gate(approvals);
        using AgentRun run = gate.BeginRun(Acme);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(run.Acquire(Refund, 1).IsAdmitted);
        }

        QuotaTicket refused = run.Acquire(Refund, 1);
        Assert.Equal(QuotaReason.BucketExhausted, refused.Decision.Reason);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.Decision.RetryAfter);   // 1 unit at 0.05/s
        Assert.Equal(5, approvals.Requests.Count);
    }

    private sealed class RecordingApprovals(Func<ApprovalRequest, ApprovalDecision> decide) : IApprovalService
    {
        public List<ApprovalRequest> Requests { get; } = [];

        public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return new(decide(request));
        }
    }

    private sealed class AsyncApprovals : IApprovalService
    {
        public TaskCompletionSource<ApprovalDecision> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
            await Answer.Task.WaitAsync(cancellationToken);
    }
}
