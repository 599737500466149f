namespace AgentQuotas.Stores;

/// <summary>
/// The shape of one token bucket: capacity, refill rate, and the burst and emergency allowances of
/// its tier. Immutable; a policy reload produces new instances.
/// </summary>
public sealed class BucketLimits
{
    /// <summary>Creates bucket limits.</summary>
    /// <param name="capacity">Most units the bucket holds; finite, and at least one 100 ns tick of refill.</param>
    /// <param name="refillPerSecond">Units added per second; finite, greater than zero and at most 10,000,000 (one unit per tick).</param>
    /// <param name="burstCredits">Most burst credits the bucket may bank (refill that overflows a full bucket); zero or more.</param>
    /// <param name="emergencyDebt">Most units emergency classes may borrow below empty; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A value is out of range, or the shape breaks a limit: the bucket must refill from the bottom of its debt to full,
    /// burst credits included, within <see cref="MaxRefillSeconds"/>.
    /// </exception>
    public BucketLimits(double capacity, double refillPerSecond, double burstCredits = 0, double emergencyDebt = 0)
    {
        if (!double.IsFinite(capacity) || capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Capacity must be a finite number greater than zero.");
        }

        if (!double.IsFinite(refillPerSecond) || refillPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond, "The refill rate must be a finite number greater than zero.");
        }

        if (!double.IsFinite(burstCredits) || burstCredits < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(burstCredits), burstCredits, "Burst credits must be a finite number, zero or more.");
        }

        if (!double.IsFinite(emergencyDebt) || emergencyDebt < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(emergencyDebt), emergencyDebt, "Emergency debt must be a finite number, zero or more.");
        }

        // One set of limits, shared with the policy validator: what validates always builds.
        AgentQuotas.Policy.Schema.BucketShapeProblem problem = AgentQuotas.Policy.Schema.BucketShapeRules.Check(capacity, refillPerSecond, burstCredits, emergencyDebt, out string reason);
        switch (problem)
        {
            case AgentQuotas.Policy.Schema.BucketShapeProblem.Refill:
                throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond, reason);
            case AgentQuotas.Policy.Schema.BucketShapeProblem.Capacity:
                throw new ArgumentOutOfRangeException(nameof(capacity), capacity, reason);
            case AgentQuotas.Policy.Schema.BucketShapeProblem.Burst:
                throw new ArgumentOutOfRangeException(nameof(burstCredits), burstCredits, reason);
            case AgentQuotas.Policy.Schema.BucketShapeProblem.Debt:
                throw new ArgumentOutOfRangeException(nameof(emergencyDebt), emergencyDebt, reason);
        }

        double ticksPerUnit = TimeSpan.TicksPerSecond / refillPerSecond;
        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        BurstCredits = burstCredits;
        EmergencyDebt = emergencyDebt;
        TicksPerUnit = ticksPerUnit;
        CapacityTicks = (long)Math.Floor(capacity * ticksPerUnit);
        BurstTicks = (long)Math.Floor(burstCredits * ticksPerUnit);
        DebtTicks = (long)Math.Floor(emergencyDebt * ticksPerUnit);
    }

    /// <summary>
    /// The longest a bucket may take to refill, in seconds: 100,000,000 (about 3.2 years).
    /// <c>(capacity + burst credits + emergency debt) / refillPerSecond</c> must not exceed it, and a charge after
    /// the fact (<see cref="IQuotaStore.Settle"/>) leaves a bucket at most this much refill time in debt: a larger
    /// charge saturates there, in every store alike.
    /// </summary>
    public const double MaxRefillSeconds = AgentQuotas.Policy.Schema.BucketShapeRules.MaxRefillSeconds;

    /// <summary>The deepest debt a charge after the fact leaves, in ticks (<see cref="MaxRefillSeconds"/> of refill).</summary>
    internal const long MaxDebtTicks = (long)AgentQuotas.Policy.Schema.BucketShapeRules.MaxRefillTicks;

    /// <summary>
    /// The largest correction counted, in ticks: enough to take any bucket from full (capacity and credits, at most
    /// <see cref="MaxDebtTicks"/>) to its deepest debt; anything larger has the same effect, and must not overflow.
    /// </summary>
    internal const long MaxCorrectionTicks = 2 * MaxDebtTicks;

    /// <summary>Most units the bucket holds.</summary>
    public double Capacity { get; }

    /// <summary>Units added per second.</summary>
    public double RefillPerSecond { get; }

    /// <summary>Most burst credits the bucket may bank.</summary>
    public double BurstCredits { get; }

    /// <summary>Most units emergency classes may borrow below empty.</summary>
    public double EmergencyDebt { get; }

    /// <summary>The most units a single request can ever obtain from this bucket.</summary>
    /// <param name="allowEmergency">Whether the request may borrow.</param>
    public double MaxAdmissibleCost(bool allowEmergency) => Capacity + BurstCredits + (allowEmergency ? EmergencyDebt : 0);

    // Bucket arithmetic is done in time: one unit is TicksPerUnit ticks (100 ns) of refill, so refill is
    // exact integer arithmetic with no rounding drift.
    internal double TicksPerUnit { get; }

    internal long CapacityTicks { get; }

    internal long BurstTicks { get; }

    internal long DebtTicks { get; }

    /// <summary>Converts units to ticks, rounding up so a request is never undercharged.</summary>
    internal long ToTicks(double units) => (long)Math.Ceiling(units * TicksPerUnit);

    /// <summary>
    /// Converts a charge after the fact to ticks, rounding up and saturating at <see cref="MaxCorrectionTicks"/>: a
    /// larger charge could never be paid back within the longest refill, and must not wrap the arithmetic.
    /// </summary>
    internal long ToChargeTicks(double units)
    {
        double ticks = Math.Ceiling(units * TicksPerUnit);
        return ticks >= MaxCorrectionTicks ? MaxCorrectionTicks : (long)ticks;
    }

    /// <summary>
    /// Converts a refund to ticks, rounding down (a refund never gives more than was paid) and saturating at
    /// <see cref="MaxCorrectionTicks"/>, more than any bucket's capacity and credits together.
    /// </summary>
    internal long ToRefundTicks(double units)
    {
        double ticks = Math.Floor(units * TicksPerUnit);
        return ticks >= MaxCorrectionTicks ? MaxCorrectionTicks : (long)ticks;
    }

    internal double ToUnits(long ticks) => ticks / TicksPerUnit;

    /// <inheritdoc/>
    public override string ToString() =>
        $"capacity {Capacity}, refill {RefillPerSecond}/s, burst {BurstCredits}, emergency debt {EmergencyDebt}";
}
