using System.ComponentModel;
using ModelContextProtocol.Server;

namespace AgentQuotas.ModelContextProtocol.Tests.Harness;

/// <summary>What the server's tools did, shared by the per-request tool instances the SDK creates.</summary>
public sealed class ToolCounters
{
    public int Searches;
    public int Refunds;
    public int Drafts;
    public int Closures;
    public int WebSearches;
    public int Drops;
    public Func<string>? SearchBody;
}

/// <summary>MCP server tools annotated for AgentQuotas, compiled with the generator; one instance per request.</summary>
[McpServerToolType, QuotaCategory("search")]
public sealed partial class CrmTools(ToolCounters counters)
{
    [McpServerTool(Name = "search_kb"), Description("Searches the knowledge base.")]
    [Cost(4)]
    public string SearchKb(string query)
    {
        Interlocked.Increment(ref counters.Searches);
        return counters.SearchBody?.Invoke() ?? "articles about " + query;
    }

    [McpServerTool(Name = "issue_refund"), Description("Refunds an order.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftRefund))]
    public string IssueRefund(string orderId, decimal amount)
    {
        Interlocked.Increment(ref counters.Refunds);
        return "refunded " + amount + " for " + orderId;
    }

    [McpServerTool(Name = "close_account"), Description("Closes a customer account.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    public string CloseAccount(string accountId)
    {
        Interlocked.Increment(ref counters.Closures);
        return "closed " + accountId;
    }

    private string DraftRefund(string orderId, decimal amount)
    {
        Interlocked.Increment(ref counters.Drafts);
        return "draft refund of " + amount + " for " + orderId;
    }
}
