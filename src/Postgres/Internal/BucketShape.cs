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

    public double ToUnits(long ticks) => ticks / TicksPerUnit;

    public bool SameShape(BucketShape other) =>
        ReferenceEquals(this, other)
        || (Limits.Capacity == other.Limits.Capacity && Limits.RefillPerSecond == other.Limits.RefillPerSecond
            && Limits.BurstCredits == other.Limits.BurstCredits && Limits.EmergencyDebt == other.Limits.EmergencyDebt);

    /// <summary>Converts ticks of this shape to ticks of <paramref name="other"/>, rounding down.</summary>
    public long ConvertTicks(long ticks, BucketShape other) =>
        SameShape(other) ? ticks : (long)Math.Floor(ToUnits(ticks) * other.TicksPerUnit);
}
