using System.Globalization;
using AgentQuotas;
using SupportDesk.Hosting;

namespace SupportDesk.Tools;

/// <summary>
/// The support agent's tools, written the way a developer writes them with AgentQuotas: annotated, nothing else.
/// The generator wraps every call (interceptors for direct calls, <c>CreateGuardedAIFunctions()</c> for the model),
/// so each call first asks the current run's gate: cost from <see cref="CostAttribute"/> or its estimator,
/// the bucket from <see cref="QuotaCategoryAttribute"/>, approval for the privileged refund, and its draft
/// fallback when the refund may not run. The analyzers check the annotations against agentquotas.json at build time.
/// </summary>
/// <remarks>Each tool takes simulated time on the run's clock, which is how long it holds a compute-pool slot.</remarks>
[QuotaCategory("search")]
public sealed class SupportTools
{
    private static readonly TimeSpan SearchLatency = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan SummaryLatency = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan SummaryLatencyPerDocument = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan RefundLatency = TimeSpan.FromMilliseconds(1200);
    private static readonly TimeSpan EmailLatency = TimeSpan.FromMilliseconds(300);

    private readonly KnowledgeBase _knowledgeBase;
    private readonly SupportBackend _backend;
    private readonly TimeProvider _time;

    /// <summary>Creates the tools.</summary>
    /// <param name="knowledgeBase">What <c>search_kb</c> searches.</param>
    /// <param name="backend">Records what the tools really did.</param>
    /// <param name="time">The clock the tools' latencies run on.</param>
    public SupportTools(KnowledgeBase knowledgeBase, SupportBackend backend, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(time);
        _knowledgeBase = knowledgeBase;
        _backend = backend;
        _time = time;
    }

    /// <summary>Searches the knowledge base.</summary>
    /// <param name="query">What the customer asked about, in a few words.</param>
    /// <param name="ct">Cancels the search.</param>
    [AgentTool("search_kb", "Searches the support knowledge base and returns the best matching articles.")]
    [Cost(20)]
    public async Task<KbSearchResult> SearchKbAsync(string query, CancellationToken ct = default)
    {
        await _time.DelayAsync(SearchLatency, ct);
        IReadOnlyList<KbArticle> articles = _knowledgeBase.Search(query);
        _backend.Record(a => a.Searches++);

        // Reading an article costs; the planned 20 units is the worst case of three.
        return new KbSearchResult(query, articles, ActualCost: 8 + (4 * articles.Count));
    }

    /// <summary>Summarizes documents.</summary>
    /// <param name="docs">The documents (article titles and text).</param>
    /// <param name="ct">Cancels the summary.</param>
    [AgentTool("summarize", "Summarizes a set of documents into a short brief.")]
    [Cost(Estimator = nameof(EstimateSummaryCost))]
    public async Task<string> SummarizeAsync(IReadOnlyList<string> docs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docs);
        await _time.DelayAsync(SummaryLatency + (SummaryLatencyPerDocument * docs.Count), ct);
        _backend.Record(a => a.Summaries++);
        string topics = string.Join("; ", docs.Select(d => d.Split(':')[0].Trim()).Distinct(StringComparer.Ordinal));
        return string.Create(CultureInfo.InvariantCulture, $"Brief of {docs.Count} documents: {topics}.");
    }

    /// <summary>Refunds an order to the original payment method. Moves money, so it needs approval.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="amount">The amount in USD.</param>
    /// <param name="ct">Cancels the call to the payment provider.</param>
    [AgentTool("issue_refund", "Refunds an order to the customer's original payment method.")]
    [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
    [Fallback(nameof(DraftRefundAsync))]
    public async Task<RefundResult> IssueRefundAsync(string orderId, decimal amount, CancellationToken ct = default)
    {
        await _time.DelayAsync(RefundLatency, ct);
        _backend.Record(a =>
        {
            a.RefundsIssued++;
            a.RefundedAmount += amount;
        });
        return new RefundResult(orderId, amount, isDraft: false, _backend.NextReference("RF"));
    }

    /// <summary>Emails the customer.</summary>
    /// <param name="to">The customer's address.</param>
    /// <param name="subject">The subject line.</param>
    /// <param name="body">The message.</param>
    /// <param name="ct">Cancels the call to the mail service.</param>
    [AgentTool("send_email", "Sends an email to the customer.")]
    [QuotaCategory("email"), Cost(2), Privileged]
    public async Task<EmailReceipt> SendEmailAsync(string to, string subject, string body, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        await _time.DelayAsync(EmailLatency, ct);
        _backend.Record(a => a.EmailsSent++);
        return new EmailReceipt(_backend.NextReference("MSG"), to, subject);
    }

    // The degraded path of issue_refund (DraftOnly): same parameters, same result type, no money moves.
    private Task<RefundResult> DraftRefundAsync(string orderId, decimal amount, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        _backend.Record(a => a.RefundsDrafted++);
        return Task.FromResult(new RefundResult(orderId, amount, isDraft: true, _backend.NextReference("DRAFT")));
    }

    // A summary costs a base plus a share per document: estimated from the arguments before the call runs.
    private static double EstimateSummaryCost(IReadOnlyList<string> docs) => 5 + (docs.Count * 2);
}
