namespace AgentQuotas.Stores;

/// <summary>
/// The shape of one token bucket: capacity, refill rate, and the burst and emergency allowances of
/// its tier. Immutable; a policy reload produces new instances.
/// </summary>
public sealed class BucketLimits
{
    /// <summary>Creates bucket limits.</summary>
    /// <param name="capacity">Most units the bucket holds; finite and greater than zero.</param>
    /// <param name="refillPerSecond">Units added per second; finite and greater than zero.</param>
    /// <param name="burstCredits">Most burst credits the bucket may bank (refill that overflows a full bucket); zero or more.</param>
    /// <param name="emergencyDebt">Most units emergency classes may borrow below empty; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
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

        double ticksPerUnit = TimeSpan.TicksPerSecond / refillPerSecond;
        if ((capacity + burstCredits + emergencyDebt) * ticksPerUnit > MaxTicks)
        {
            throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond,
                "The bucket would take too long to refill; keep (capacity + burst + debt) / refillPerSecond under 100,000,000 seconds.");
        }

        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        BurstCredits = burstCredits;
        EmergencyDebt = emergencyDebt;
        TicksPerUnit = ticksPerUnit;
        CapacityTicks = (long)Math.Floor(capacity * ticksPerUnit);
        BurstTicks = (long)Math.Floor(burstCredits * ticksPerUnit);
        DebtTicks = (long)Math.Floor(emergencyDebt * ticksPerUnit);
    }

    // 100,000,000 s x 3 allowances in 100 ns ticks: far below long.MaxValue, so tick sums never overflow.
    private const double MaxTicks = 3e15;

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

    internal double ToUnits(long ticks) => ticks / TicksPerUnit;

    /// <inheritdoc/>
    public override string ToString() =>
        $"capacity {Capacity}, refill {RefillPerSecond}/s, burst {BurstCredits}, emergency debt {EmergencyDebt}";
}
