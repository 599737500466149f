using System.ComponentModel;
using AgentQuotas;
using Microsoft.SemanticKernel;

namespace KernelDesk;

/// <summary>The support desk's Semantic Kernel plugin, annotated for AgentQuotas (the generator registers its quotas).</summary>
[QuotaCategory("search")]
public sealed partial class DeskPlugin
{
    private int _searches;
    private int _refunds;
    private int _drafts;

    /// <summary>Searches that really ran.</summary>
    public int Searches => Volatile.Read(ref _searches);

    /// <summary>Refunds that really moved money.</summary>
    public int Refunds => Volatile.Read(ref _refunds);

    /// <summary>Refunds drafted instead.</summary>
    public int Drafts => Volatile.Read(ref _drafts);

    /// <summary>Searches the knowledge base.</summary>
    /// <param name="query">What to look for.</param>
    [KernelFunction("search_kb"), Description("Searches the knowledge base.")]
    [Cost(15)]
    public string SearchKb(string query)
    {
        Interlocked.Increment(ref _searches);
        return "3 articles about " + query;
    }

    /// <summary>Refunds an order: privileged, each call needs approval; without it, <see cref="DraftRefund"/> drafts it.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="amount">The amount.</param>
    [KernelFunction("issue_refund"), Description("Refunds an order.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftRefund))]
    public string IssueRefund(string orderId, decimal amount)
    {
        Interlocked.Increment(ref _refunds);
        return $"refunded {amount} for {orderId}";
    }

    private string DraftRefund(string orderId, decimal amount)
    {
        Interlocked.Increment(ref _drafts);
        return $"draft: refund {amount} for {orderId}, waiting for a person to approve it";
    }
}
