using System.ComponentModel;
using AgentQuotas;
using ModelContextProtocol.Server;

namespace McpDesk;

/// <summary>What the tools really did (the SDK makes a tool object per request; this is shared).</summary>
public sealed class Ledger
{
    private int _searches;
    private int _refunds;
    private int _drafts;
    private int _exports;

    /// <summary>Searches that ran.</summary>
    public int Searches => Volatile.Read(ref _searches);

    /// <summary>Refunds that moved money.</summary>
    public int Refunds => Volatile.Read(ref _refunds);

    /// <summary>Refunds drafted instead.</summary>
    public int Drafts => Volatile.Read(ref _drafts);

    /// <summary>Exports that ran.</summary>
    public int Exports => Volatile.Read(ref _exports);

    internal void Searched() => Interlocked.Increment(ref _searches);

    internal void Refunded() => Interlocked.Increment(ref _refunds);

    internal void Drafted() => Interlocked.Increment(ref _drafts);

    internal void Exported() => Interlocked.Increment(ref _exports);
}

/// <summary>The CRM server's MCP tools, annotated for AgentQuotas (the generator registers their quotas).</summary>
/// <param name="ledger">Where the tools record what they did.</param>
[McpServerToolType, QuotaCategory("search")]
public sealed partial class CrmTools(Ledger ledger)
{
    /// <summary>Searches the knowledge base.</summary>
    /// <param name="query">What to look for.</param>
    [McpServerTool(Name = "search_kb"), Description("Searches the knowledge base.")]
    [Cost(15)]
    public string SearchKb(string query)
    {
        ledger.Searched();
        return "3 articles about " + query;
    }

    /// <summary>Refunds an order: privileged, each call needs approval; without it, <see cref="DraftRefund"/> drafts it.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="amount">The amount.</param>
    [McpServerTool(Name = "issue_refund"), Description("Refunds an order.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftRefund))]
    public string IssueRefund(string orderId, decimal amount)
    {
        ledger.Refunded();
        return $"refunded {amount} for {orderId}";
    }

    /// <summary>Exports customer rows; the cost grows with the rows asked for.</summary>
    /// <param name="rows">How many rows.</param>
    [McpServerTool(Name = "bulk_export"), Description("Exports customer rows.")]
    [QuotaCategory("export"), Cost(Estimator = nameof(ExportCost))]
    public string BulkExport(int rows)
    {
        ledger.Exported();
        return $"exported {rows} rows";
    }

    private static double ExportCost(int rows) => Math.Max(1, rows / 10.0);

    private string DraftRefund(string orderId, decimal amount)
    {
        ledger.Drafted();
        return $"draft: refund {amount} for {orderId}, waiting for a person to approve it";
    }
}
