using System.Runtime.InteropServices;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

/// <summary>Why a step refused an attempt: what <see cref="DecisionPipeline"/> undoes and records, once.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct Refusal
{
    public Refusal(QuotaReason reason, QuotaStoreResult? store = null, string? detail = null, TimeSpan? retryAfter = null, PendingApproval? approval = null)
    {
        Approval = approval;
        Reason = reason;
        Store = store;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    public QuotaReason Reason { get; }

    /// <summary>The store's answer, when the units were asked for (its remaining units and retry hint).</summary>
    public QuotaStoreResult? Store { get; }

    public string? Detail { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The approval the refusal is about (filed, pending, denied, expired or already used).</summary>
    public PendingApproval? Approval { get; }

    /// <summary>A refusal by the store, in the gate's terms.</summary>
    public static Refusal FromStore(in QuotaStoreResult taken, string? detail, TimeSpan? retryAfter = null) =>
        new(ToReason(taken.Outcome), taken, detail, retryAfter);

    public static QuotaReason ToReason(QuotaStoreOutcome outcome) => outcome switch
    {
        QuotaStoreOutcome.BucketExhausted => QuotaReason.BucketExhausted,
        QuotaStoreOutcome.CostExceedsCapacity => QuotaReason.CostExceedsCapacity,
        QuotaStoreOutcome.DailyCeilingReached => QuotaReason.DailyCostLimit,
        QuotaStoreOutcome.MonthlyCeilingReached => QuotaReason.MonthlyCostLimit,
        QuotaStoreOutcome.Unavailable => QuotaReason.StoreUnavailable,
        _ => QuotaReason.None,
    };
}
