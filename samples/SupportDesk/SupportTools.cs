using AgentQuotas;

namespace SupportDesk;

/// <summary>
/// The support agent's tools. Each call goes through the current run's gate: this is the code the
/// AgentQuotas generator writes around annotated tools, spelled out by hand for now.
/// </summary>
public sealed class SupportTools
{
    private static readonly QuotaTool SearchKb = new("search_kb", "search");
    private static readonly QuotaTool IssueRefund = new("issue_refund", "payments", requiresApproval: true, hasFallback: true);

    public async Task<string> SearchKbAsync(string query, CancellationToken ct = default)
    {
        QuotaTicket ticket = await AgentRun.RequireCurrent(nameof(SearchKbAsync)).AcquireAsync(SearchKb, 20, ct);
        ticket.ThrowIfDenied();
        ticket.Complete(actualCost: 12 + (query.Length % 8));   // the search reports what it really cost
        return $"3 articles about '{query}'";
    }

    public async Task<string> IssueRefundAsync(string orderId, decimal amount, CancellationToken ct = default)
    {
        QuotaTicket ticket = await AgentRun.RequireCurrent(nameof(IssueRefundAsync)).AcquireAsync(IssueRefund, 1, ct);
        if (ticket.Mode == DegradationMode.DraftOnly)
        {
            return DraftRefund(orderId, amount) + $" ({ticket.Decision.Reason})";
        }

        ticket.ThrowIfDenied();
        ticket.Complete();
        return $"refunded {amount:0.00} USD on {orderId}";
    }

    private static string DraftRefund(string orderId, decimal amount) => $"DRAFT refund of {amount:0.00} USD on {orderId}, awaiting approval";
}
