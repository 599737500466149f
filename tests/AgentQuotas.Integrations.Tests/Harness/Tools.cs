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

/// <summary>A tool with an ordered fallback chain: the draft needs a quote that requires approval (refused), the summary does not.</summary>
[QuotaCategory("payments")]
public sealed class ChainTools
{
    private int _refunds;
    private string _tried = string.Empty;

    public int Refunds => _refunds;

    public string Tried => _tried;

    [AgentTool("chain_refund", "Refunds an order, else drafts it, else summarizes it.")]
    [Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftWithQuoteAsync), nameof(RetrievalSummaryAsync))]
    public Task<string> RefundAsync(string orderId, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _refunds);
        return Task.FromResult("refunded " + orderId);
    }

    [Cost(1), Privileged(RequiresApproval = true)]
    public Task<string> QuoteAsync(string orderId, CancellationToken ct = default) => Task.FromResult("quote for " + orderId);

    public async Task<string> DraftWithQuoteAsync(string orderId, CancellationToken ct = default)
    {
        _tried += "draft;";
        return "draft with " + await QuoteAsync(orderId, ct);
    }

    public Task<string> RetrievalSummaryAsync(string orderId, CancellationToken ct = default)
    {
        _tried += "summary;";
        return Task.FromResult("summary of " + orderId);
    }
}
