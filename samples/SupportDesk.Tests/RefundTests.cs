using AgentQuotas;
using AgentQuotas.Audit;
using SupportDesk.Agent;
using SupportDesk.Workload;

namespace SupportDesk.Tests;

/// <summary>issue_refund is [Privileged(RequiresApproval = true)] with a [Fallback]: without a yes it is a draft, never a refund.</summary>
public class RefundTests
{
    private const string Refund = "Order B-2201 arrived damaged. Please refund 42.50 USD to my card. ann@globex.example";

    [Fact]
    public void Without_approval_a_refund_degrades_to_a_draft_and_moves_no_money()
    {
        using var harness = new ConversationHarness(); // the default approval service approves nothing
        AgentAnswer answer = harness.Ask("globex", Refund);

        ToolCallRecord refund = Assert.Single(answer.ToolCalls, c => c.Tool == "issue_refund");
        Assert.Equal(ToolCallOutcome.Drafted, refund.Outcome);
        Assert.Equal(QuotaReason.ApprovalRequired, refund.Reason);
        Assert.Contains("drafted (DRAFT-", answer.Text, StringComparison.Ordinal);
        Assert.Contains("no money has moved", answer.Text, StringComparison.Ordinal);

        var activity = harness.Backend.Snapshot()["globex"];
        Assert.Equal((0, 1, 0m), (activity.RefundsIssued, activity.RefundsDrafted, activity.RefundedAmount));
        QuotaAuditRecord degraded = Assert.Single(harness.Audit.Snapshot(), r => r.Tool == "issue_refund");
        Assert.Equal((AuditDecision.Degraded, DegradationMode.DraftOnly, QuotaReason.ApprovalRequired), (degraded.Decision, degraded.Mode, degraded.Reason));
    }

    [Fact]
    public void With_approval_the_refund_runs_in_full()
    {
        using var harness = new ConversationHarness(new SupportDeskApprover(new Dictionary<string, RefundApproval> { ["globex"] = RefundApproval.Delegated }));
        AgentAnswer answer = harness.Ask("globex", Refund);

        Assert.Equal(ToolCallOutcome.Ran, Assert.Single(answer.ToolCalls, c => c.Tool == "issue_refund").Outcome);
        Assert.Contains("refund of 42.50 USD for order B-2201 is on its way (RF-", answer.Text, StringComparison.Ordinal);
        var activity = harness.Backend.Snapshot()["globex"];
        Assert.Equal((1, 0, 42.50m), (activity.RefundsIssued, activity.RefundsDrafted, activity.RefundedAmount));
        QuotaAuditRecord admitted = Assert.Single(harness.Audit.Snapshot(), r => r.Tool == "issue_refund" && r.Decision == AuditDecision.Admitted);
        Assert.Contains(SupportDeskApprover.Approver, admitted.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusing_approver_also_gets_a_draft_with_its_reason()
    {
        using var harness = new ConversationHarness(new SupportDeskApprover(new Dictionary<string, RefundApproval> { ["globex"] = RefundApproval.Refused }));
        AgentAnswer answer = harness.Ask("globex", Refund);

        ToolCallRecord refund = Assert.Single(answer.ToolCalls, c => c.Tool == "issue_refund");
        Assert.Equal((ToolCallOutcome.Drafted, QuotaReason.ApprovalDenied), (refund.Outcome, refund.Reason));
        Assert.Contains("billing-policy", refund.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Backend.Snapshot()["globex"].RefundsIssued);
    }
}
