using AgentQuotas;

namespace AgentQuotas.Generators.Integration;

public sealed record RefundResult(string OrderId, decimal Amount, bool IsDraft) : IFallbackResult
{
    public DegradedCall? Degradation { get; private set; }

    public void OnServedByFallback(DegradedCall degradation) => Degradation = degradation;
}

public sealed record SearchResult(string Text, double? ActualCost) : IActualCost;

/// <summary>Tools as a developer writes them: annotated, nothing else. The generator does the rest.</summary>
[QuotaCategory("search")]
public sealed class SupportTools
{
    private static readonly Task<string> Cached = Task.FromResult("cached answer");

    public int Searches { get; private set; }

    public int Refunds { get; private set; }

    /// <summary>Searches the knowledge base.</summary>
    /// <param name="query">What to look for.</param>
    /// <param name="ct">Cancels the search.</param>
    [AgentTool("search_kb", "Searches the knowledge base")]
    [Cost(20)]
    public async Task<SearchResult> SearchKbAsync(string query, CancellationToken ct = default)
    {
        await Task.Yield();
        Searches++;
        return new SearchResult("3 articles about " + query, 12);
    }

    [AgentTool("issue_refund", "Refunds an order")]
    [QuotaCategory("payments"), Cost(1), Privileged]
    [Fallback(nameof(DraftRefundAsync))]
    public Task<RefundResult> IssueRefundAsync(string orderId, decimal amount)
    {
        Refunds++;
        return Task.FromResult(new RefundResult(orderId, amount, IsDraft: false));
    }

    private Task<RefundResult> DraftRefundAsync(string orderId, decimal amount) => Task.FromResult(new RefundResult(orderId, amount, IsDraft: true));

    [Cost(Estimator = nameof(EstimateSummaryCost))]
    public string Summarize(IReadOnlyList<string> docs) => "summary of " + docs.Count;

    private static double EstimateSummaryCost(IReadOnlyList<string> docs) => 5 + (docs.Count * 2);

    // Shapes used to measure what the guard itself allocates: the tools allocate nothing.
    [Cost(1)]
    public int Add(int a, int b) => a + b;

    [Cost(1)]
    public Task<string> CachedAsync() => Cached;

    [Cost(1)]
    public ValueTask<int> CountAsync(int x) => new(x + 1);
}

public sealed class SupportAgent(SupportTools tools)
{
    /// <summary>Searches until the loop's cap stops it.</summary>
    [AgentLoop(MaxIterations = 8)]
    public async Task<int> ResearchAsync(string topic)
    {
        int turns = 0;
        while (true)
        {
            if (!AgentRun.Current!.TryBeginIteration().IsAdmitted)
            {
                return turns;
            }

            turns++;
            await tools.SearchKbAsync(topic + " " + turns);
        }
    }
}
