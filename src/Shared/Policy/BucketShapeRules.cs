// Shared between the runtime and the analyzers (netstandard2.0). The one set of limits on a bucket's shape:
// the policy validator reports a violation at its place in the file (AQ0008, PolicyValidationException), and
// BucketLimits refuses the same shapes with the same reason, so what validates always builds.
using System.Globalization;

namespace AgentQuotas.Policy.Schema
{
    /// <summary>Which part of a bucket's shape breaks a limit.</summary>
    internal enum BucketShapeProblem
    {
        None = 0,

        /// <summary>The refill rate (too fast to count in ticks).</summary>
        Refill = 1,

        /// <summary>The capacity against the refill rate (less than a tick, or too long to refill).</summary>
        Capacity = 2,

        /// <summary>The burst credits, on top of the capacity.</summary>
        Burst = 3,

        /// <summary>The emergency debt, on top of capacity and burst credits.</summary>
        Debt = 4,
    }

    /// <summary>
    /// Buckets are kept in 100 ns ticks of refill time: one unit is <c>10^7 / refillPerSecond</c> ticks. So a
    /// unit must be at least one tick (else a 1-unit call is charged more than it costs), a bucket must hold at
    /// least one tick, and a bucket must refill from the bottom of its debt to full, burst credits included,
    /// within <see cref="MaxRefillSeconds"/> (which keeps every sum of ticks far from overflow).
    /// </summary>
    internal static class BucketShapeRules
    {
        /// <summary>Longest a bucket may take to refill, from the bottom of its emergency debt to full with every burst credit.</summary>
        public const double MaxRefillSeconds = 100_000_000d;

        /// <summary>The fastest refill that keeps one unit at least one 100 ns tick.</summary>
        public const double MaxRefillPerSecond = 10_000_000d;

        public const double TicksPerSecond = 10_000_000d;

        /// <summary><see cref="MaxRefillSeconds"/> in ticks.</summary>
        public const double MaxRefillTicks = MaxRefillSeconds * TicksPerSecond;

        /// <summary>
        /// Checks a shape whose values are each finite and in range; returns which part breaks a limit (and why),
        /// or <see cref="BucketShapeProblem.None"/>.
        /// </summary>
        public static BucketShapeProblem Check(double capacity, double refillPerSecond, double burstCredits, double emergencyDebt, out string reason)
        {
            if (refillPerSecond > MaxRefillPerSecond)
            {
                reason = "refillPerSecond must be at most " + Format(MaxRefillPerSecond) + ": refill is counted in 100 ns ticks, and at "
                    + Format(refillPerSecond) + " units per second one tick is " + Format(refillPerSecond / TicksPerSecond)
                    + " units, so a 1-unit call would be charged that much";
                return BucketShapeProblem.Refill;
            }

            double ticksPerUnit = TicksPerSecond / refillPerSecond;
            if (System.Math.Floor(capacity * ticksPerUnit) < 1)
            {
                reason = "the bucket holds less than one 100 ns tick of refill (capacity / refillPerSecond is "
                    + Format(capacity / refillPerSecond) + " seconds), so it could never admit anything; raise capacity or lower refillPerSecond";
                return BucketShapeProblem.Capacity;
            }

            if (capacity * ticksPerUnit > MaxRefillTicks)
            {
                reason = "capacity / refillPerSecond is " + Format(capacity / refillPerSecond) + " seconds; a bucket must refill from empty within "
                    + Format(MaxRefillSeconds) + " seconds (use maxCostPerDay or maxCostPerMonth for long-term ceilings)";
                return BucketShapeProblem.Capacity;
            }

            if ((capacity + burstCredits) * ticksPerUnit > MaxRefillTicks)
            {
                reason = "capacity plus burst credits ((multiplier - 1) x refillPerSecond x maxSeconds = " + Format(burstCredits) + ") take "
                    + Format((capacity + burstCredits) / refillPerSecond) + " seconds to refill; a bucket with its burst credits must refill within "
                    + Format(MaxRefillSeconds) + " seconds: lower burst.multiplier or burst.maxSeconds";
                return BucketShapeProblem.Burst;
            }

            if ((capacity + burstCredits + emergencyDebt) * ticksPerUnit > MaxRefillTicks)
            {
                reason = "capacity, burst credits and emergency debt (debtMultiplier x capacity = " + Format(emergencyDebt) + ") take "
                    + Format((capacity + burstCredits + emergencyDebt) / refillPerSecond) + " seconds to refill; a bucket must refill from the bottom of its debt within "
                    + Format(MaxRefillSeconds) + " seconds: lower emergency.debtMultiplier";
                return BucketShapeProblem.Debt;
            }

            reason = string.Empty;
            return BucketShapeProblem.None;
        }

        private static string Format(double value) => value.ToString("0.############", CultureInfo.InvariantCulture);
    }
}
