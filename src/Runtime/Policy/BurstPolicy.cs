namespace AgentQuotas.Policy;

/// <summary>
/// A tier's burst allowance. Refill that arrives while a bucket is full is banked as burst credits,
/// up to <c>(Multiplier - 1) x refillPerSecond x MaxSeconds</c> units: enough to run at
/// <see cref="Multiplier"/> times the refill rate for <see cref="MaxSeconds"/> seconds once the bucket
/// itself is empty. A tenant that has been quiet has credits; one at sustained overload does not.
/// </summary>
public sealed class BurstPolicy
{
    internal BurstPolicy(double multiplier, double maxSeconds)
    {
        Multiplier = multiplier;
        MaxSeconds = maxSeconds;
    }

    /// <summary>How many times the refill rate a burst may run at (at least 1).</summary>
    public double Multiplier { get; }

    /// <summary>For how many seconds a burst may run at that rate.</summary>
    public double MaxSeconds { get; }

    /// <summary>The most burst credits a bucket with this refill rate can bank.</summary>
    /// <param name="refillPerSecond">The bucket's refill rate.</param>
    public double CreditsFor(double refillPerSecond) => (Multiplier - 1) * refillPerSecond * MaxSeconds;
}
