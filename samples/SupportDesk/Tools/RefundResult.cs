using AgentQuotas;

namespace SupportDesk.Tools;

/// <summary>
/// The outcome of <c>issue_refund</c>: either money moved (<see cref="IsDraft"/> is <see langword="false"/>) or, when
/// the guard served the call from its fallback, a draft that a person still has to approve. The guard tells a
/// draft why it is one through <see cref="IFallbackResult"/>, so the result cannot be mistaken for a refund.
/// </summary>
public sealed record RefundResult : IFallbackResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="amount">The amount in USD.</param>
    /// <param name="isDraft">Whether this is only a draft.</param>
    /// <param name="reference">The payment provider's reference, or the draft's number.</param>
    public RefundResult(string orderId, decimal amount, bool isDraft, string reference)
    {
        OrderId = orderId;
        Amount = amount;
        IsDraft = isDraft;
        Reference = reference;
    }

    /// <summary>The order.</summary>
    public string OrderId { get; }

    /// <summary>The amount in USD.</summary>
    public decimal Amount { get; }

    /// <summary>Whether this is only a draft: no money moved.</summary>
    public bool IsDraft { get; }

    /// <summary>The payment provider's reference (<c>RF-...</c>) or the draft's number (<c>DRAFT-...</c>).</summary>
    public string Reference { get; }

    /// <summary>Why the refund itself did not run (the gate's reason), when this is a draft served by the guard.</summary>
    public string? WhyDraft { get; private set; }

    /// <inheritdoc/>
    public void OnServedByFallback(DegradedCall degradation)
    {
        ArgumentNullException.ThrowIfNull(degradation);
        WhyDraft = degradation.Reason + ": " + degradation.Message;
    }
}
