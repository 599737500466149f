using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel.Tests.Harness;

/// <summary>A Semantic Kernel plugin whose functions are annotated for AgentQuotas, compiled with the generator.</summary>
[QuotaCategory("search")]
public sealed partial class DeskPlugin
{
    public int Searches;
    public int Refunds;
    public int Drafts;
    public int Closures;
    public Func<string>? SearchBody;

    [KernelFunction("search_kb"), Description("Searches the knowledge base.")]
    [Cost(4)]
    public string SearchKb(string query)
    {
        Interlocked.Increment(ref Searches);
        return SearchBody?.Invoke() ?? "articles about " + query;
    }

    [KernelFunction("issue_refund"), Description("Refunds an order.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftRefund))]
    public Task<string> IssueRefundAsync(string orderId, decimal amount)
    {
        Interlocked.Increment(ref Refunds);
        return Task.FromResult("refunded " + amount + " for " + orderId);
    }

    [KernelFunction("close_account"), Description("Closes a customer account.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    public string CloseAccount(string accountId)
    {
        Interlocked.Increment(ref Closures);
        return "closed " + accountId;
    }

    [KernelFunction("estimate_summary"), Description("Summarizes documents.")]
    [Cost(Estimator = nameof(EstimateSummary))]
    public string Summarize(int documents) => "summary of " + documents;

    private static double EstimateSummary(int documents) => 1 + documents;

    private Task<string> DraftRefund(string orderId, decimal amount)
    {
        Interlocked.Increment(ref Drafts);
        return Task.FromResult("draft refund of " + amount + " for " + orderId);
    }
}

/// <summary>A plugin nobody annotated: its functions get a quota only from the policy's tools section.</summary>
public sealed class WebPlugin
{
    public int Searches;
    public int Drops;

    [KernelFunction("web_search"), Description("Searches the web.")]
    public string WebSearch(string query)
    {
        Interlocked.Increment(ref Searches);
        return "web hits for " + query;
    }

    [KernelFunction("drop_tables"), Description("Drops every table.")]
    public string DropTables()
    {
        Interlocked.Increment(ref Drops);
        return "dropped";
    }
}
