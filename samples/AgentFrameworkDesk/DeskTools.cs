using AgentQuotas;

namespace AgentFrameworkDesk;

/// <summary>The agent's tools: annotated, nothing else. The generator makes each a guarded AIFunction and registers its quota in the tool registry.</summary>
[QuotaCategory("search")]
public sealed class DeskTools
{
    /// <summary>Searches that really ran.</summary>
    public int Searches { get; private set; }

    /// <summary>Refunds that really moved money.</summary>
    public int Refunds { get; private set; }

    /// <summary>Refunds drafted instead.</summary>
    public int Drafts { get; private set; }

    /// <summary>Searches the knowledge base.</summary>
    /// <param name="query">What to look for.</param>
    [AgentTool("search_kb", "Searches the support knowledge base.")]
    [Cost(15)]
    public string SearchKb(string query)
    {
        Searches++;
        return "3 articles about " + query;
    }

    /// <summary>Refunds an order; moves money, so it needs approval.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="amount">The amount in USD.</param>
    [AgentTool("issue_refund", "Refunds an order to the customer's payment method.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftRefund))]
    public string IssueRefund(string orderId, decimal amount)
    {
        Refunds++;
        return $"refunded {amount} on {orderId}";
    }

    private string DraftRefund(string orderId, decimal amount)
    {
        Drafts++;
        return $"DRAFT: refund {amount} on {orderId} awaits a person's approval";
    }
}
