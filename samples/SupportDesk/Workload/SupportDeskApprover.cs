using AgentQuotas;

namespace SupportDesk.Workload;

/// <summary>
/// The sample's approval service for privileged tools. It answers at once from standing rules, as an
/// <see cref="IApprovalService"/> should: tenants with a refund delegation are approved, tenants whose plan excludes
/// refunds through the agent are refused, and everything else is filed for the refund desk (pending). A refund that is
/// not approved is served by its fallback: a draft, no money moved.
/// </summary>
public sealed class SupportDeskApprover : IApprovalService
{
    /// <summary>Who approves delegated refunds, as recorded in the audit trail.</summary>
    public const string Approver = "refund-desk (standing delegation)";

    private readonly IReadOnlyDictionary<string, RefundApproval> _rules;

    /// <summary>Creates the approver.</summary>
    /// <param name="rules">How each tenant's refunds are approved; tenants not listed go to review.</param>
    public SupportDeskApprover(IReadOnlyDictionary<string, RefundApproval> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
    }

    /// <inheritdoc/>
    public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(_rules.GetValueOrDefault(request.Identity.Tenant) switch
        {
            RefundApproval.Delegated => ApprovalDecision.Approve(Approver, $"tenant '{request.Identity.Tenant}' delegated {request.Tool.Name} to the agent"),
            RefundApproval.Refused => ApprovalDecision.Deny($"{request.Tool.Name} is not available to the agent on this tenant's plan", "billing-policy"),
            _ => ApprovalDecision.Pending($"filed for review by the refund desk (policy {request.PolicyVersion})"),
        });
    }
}
