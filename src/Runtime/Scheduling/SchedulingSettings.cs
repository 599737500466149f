using AgentQuotas.Policy;

namespace AgentQuotas.Scheduling;

/// <summary>The scheduling knobs of one policy, precomputed once so the decision path reads arrays.</summary>
internal sealed class SchedulingSettings
{
    public SchedulingSettings(QuotaPolicy policy)
    {
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            ClassPolicy cp = policy.GetClass((WorkloadClass)c);
            Shares[c] = cp.ReservedShare;
            MaxWaitTicks[c] = cp.EffectiveMaxQueueWait.Ticks; // always finite: no request waits without a bound
            QueueLimits[c] = cp.QueueLimit;
            DraftWaitTicks[c] = Math.Min(cp.WaitBeforeDraft?.Ticks ?? 0, MaxWaitTicks[c]);
        }

        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            OtherShares[c] = Shares.Sum() - Shares[c];
        }

        HasShares = Shares.Any(s => s > 0);
        PromoteTicks = policy.Aging?.PromoteAfter.Ticks ?? 0;
    }

    /// <summary>Reserved share per class (0 to 1).</summary>
    public double[] Shares { get; } = new double[WaitingLine.ClassCount];

    /// <summary>Sum of the other classes' shares, per class: the part of a full bucket a class must leave.</summary>
    public double[] OtherShares { get; } = new double[WaitingLine.ClassCount];

    public bool HasShares { get; }

    /// <summary>Aging step in <see cref="TimeSpan"/> ticks; 0 without aging.</summary>
    public long PromoteTicks { get; }

    /// <summary>Most time a class may wait, in ticks (the class's maxQueueWait, else the default).</summary>
    public long[] MaxWaitTicks { get; } = new long[WaitingLine.ClassCount];

    /// <summary>
    /// Most time a call of the class to a tool with a fallback waits before its draft serves it, in ticks (the class's
    /// waitBeforeDraft, never more than its maximum wait); 0 drafts at once.
    /// </summary>
    public long[] DraftWaitTicks { get; } = new long[WaitingLine.ClassCount];

    /// <summary>Queue limit per class as configured (null: the gate's default).</summary>
    public int?[] QueueLimits { get; } = new int?[WaitingLine.ClassCount];

    /// <summary>
    /// The units a grant of <paramref name="cost"/> to class <paramref name="c"/> must leave in a bucket whose
    /// reserves are all full: the other classes' shares of capacity, never so much that the cost could
    /// never be served.
    /// </summary>
    public double StaticFloor(int c, double capacity, double cost) =>
        Math.Min(OtherShares[c] * capacity, Math.Max(0, capacity - cost));
}
