using System.Runtime.CompilerServices;
using AgentQuotas.Stores;

namespace AgentQuotas.Postgres.Internal;

/// <summary>
/// A bucket's limits in ticks, computed exactly as the in-memory store computes them (one unit is
/// 10^7 / refillPerSecond ticks of 100 ns; capacities round down, costs round up), so both stores
/// agree to the tick. Cached per <see cref="BucketLimits"/> instance.
/// </summary>
internal sealed class BucketShape
{
    private static readonly ConditionalWeakTable<BucketLimits, BucketShape> Cache = new();

    private BucketShape(BucketLimits limits)
    {
        Limits = limits;
        TicksPerUnit = TimeSpan.TicksPerSecond / limits.RefillPerSecond;
        CapacityTicks = (long)Math.Floor(limits.Capacity * TicksPerUnit);
        BurstTicks = (long)Math.Floor(limits.BurstCredits * TicksPerUnit);
        DebtTicks = (long)Math.Floor(limits.EmergencyDebt * TicksPerUnit);
    }

    /// <summary>
    /// Twice <see cref="BucketLimits.MaxRefillSeconds"/> in ticks: a correction that takes any bucket from full to
    /// its deepest debt (the settle function in SQL stops there), and no sum of corrections overflows.
    /// </summary>
    public const long MaxCorrectionTicks = 2 * (long)(BucketLimits.MaxRefillSeconds * TimeSpan.TicksPerSecond);

    public BucketLimits Limits { get; }

    public double TicksPerUnit { get; }

    public long CapacityTicks { get; }

    public long BurstTicks { get; }

    public long DebtTicks { get; }

    public static BucketShape Of(BucketLimits limits) => Cache.GetValue(limits, static l => new BucketShape(l));

    /// <summary>Units to ticks, rounded up so nothing is undercharged.</summary>
    public long ToTicks(double units) => (long)Math.Ceiling(units * TicksPerUnit);

    /// <summary>Units to ticks, rounded down (refunds and slices never give more than was paid).</summary>
    public long ToTicksFloor(double units) => (long)Math.Floor(units * TicksPerUnit);

    /// <summary>
    /// A correction in ticks, as the in-memory store takes it: a charge rounded up, a refund rounded down, both
    /// saturating at <see cref="MaxCorrectionTicks"/> (enough to reach the deepest debt from full; more than any
    /// bucket holds), so no reported cost can overflow the arithmetic here or in SQL.
    /// </summary>
    public long ToCorrectionTicks(double delta)
    {
        double ticks = delta > 0 ? Math.Ceiling(delta * TicksPerUnit) : -Math.Floor(-delta * TicksPerUnit);
        return (long)Math.Clamp(ticks, -MaxCorrectionTicks, MaxCorrectionTicks);
    }

    public double ToUnits(long ticks) => ticks / TicksPerUnit;

    public bool SameShape(BucketShape other) =>
        ReferenceEquals(this, other)
        || (Limits.Capacity == other.Limits.Capacity && Limits.RefillPerSecond == other.Limits.RefillPerSecond
            && Limits.BurstCredits == other.Limits.BurstCredits && Limits.EmergencyDebt == other.Limits.EmergencyDebt);

    /// <summary>Converts ticks of this shape to ticks of <paramref name="other"/>, rounding down.</summary>
    public long ConvertTicks(long ticks, BucketShape other) =>
        SameShape(other) ? ticks : (long)Math.Floor(ToUnits(ticks) * other.TicksPerUnit);
}
