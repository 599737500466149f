using AgentQuotas;

namespace AgentQuotas.Integrations.Tests.Harness;

/// <summary>Annotated tools, compiled with the generator (so they get generated guarded AIFunctions).</summary>
[QuotaCategory("search")]
public sealed partial class SupportTools
{
    public int Searches;
    public int Refunds;
    public int Drafts;

    [AgentTool("search_kb", "Searches the knowledge base.")]
    [Cost(4)]
    public Task<string> SearchKbAsync(string query, CancellationToken ct = default)
    {
        Interlocked.Increment(ref Searches);
        return Task.FromResult("articles about " + query);
    }

    [AgentTool("issue_refund", "Refunds an order.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftRefund))]
    public Task<string> IssueRefundAsync(string orderId, decimal amount, CancellationToken ct = default)
    {
        Interlocked.Increment(ref Refunds);
        return Task.FromResult("refunded " + orderId);
    }

    private Task<string> DraftRefund(string orderId, decimal amount, CancellationToken ct = default)
    {
        Interlocked.Increment(ref Drafts);
        return Task.FromResult("draft refund of " + amount + " for " + orderId);
    }
}
