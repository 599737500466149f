using System.Globalization;
using AgentQuotas.Policy;

namespace AgentQuotas.Simulation;

/// <summary>
/// What <see cref="FairnessSimulation.Run"/> simulates: tenants of equal weight sending a mix of workload
/// classes at a multiple of their budget, with bursts and a worker outage, on virtual time. Validated
/// when the simulation starts; every default is documented and gives the scenario of docs/scheduling.md.
/// </summary>
public sealed class SimulationOptions
{
    /// <summary>Seed of every random draw: the same options give the same report. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Simulated time. Default 10 minutes; between 1 second and 1 day.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Tenants, all of the same tier (equal weight). Default 8; 1 to 1,000.</summary>
    public int Tenants { get; set; } = 8;

    /// <summary>Offered cost rate per tenant as a multiple of its bucket's refill rate. Default 5 (sustained 5x overload); more than 0.</summary>
    public double OverloadFactor { get; set; } = 5;

    /// <summary>Bucket capacity of every tenant's budget (units). Default 100.</summary>
    public double Capacity { get; set; } = 100;

    /// <summary>Bucket refill rate (units per second). Default 10.</summary>
    public double RefillPerSecond { get; set; } = 10;

    /// <summary>Share of requests per class, indexed by <see cref="WorkloadClass"/>; normalised. Default 3% Critical, 20% High, 42% Standard, 35% Batch.</summary>
    public double[] ClassMix { get; set; } = [0.03, 0.20, 0.42, 0.35];

    /// <summary>Cost of one request per class (units), indexed by <see cref="WorkloadClass"/>. Default 2, 2, 2, 4.</summary>
    public double[] ClassCost { get; set; } = [2, 2, 2, 4];

    /// <summary>Mean time a request runs once admitted (exponentially distributed). Default 200 ms.</summary>
    public TimeSpan MeanServiceTime { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Share of Standard and Batch tools that have a fallback (served as drafts when refused). Default 0.2.</summary>
    public double FallbackShare { get; set; } = 0.2;

    /// <summary>Tenants that burst (the first ones). Default 1.</summary>
    public int BurstingTenants { get; set; } = 1;

    /// <summary>How often a bursting tenant bursts. Default every 60 s.</summary>
    public TimeSpan BurstEvery { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a burst lasts. Default 10 s.</summary>
    public TimeSpan BurstLength { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A bursting tenant's arrival rate during a burst, as a multiple of its usual rate. Default 3.</summary>
    public double BurstFactor { get; set; } = 3;

    /// <summary>Probability that a call fails outside the outage. Default 0.01.</summary>
    public double FailureRate { get; set; } = 0.01;

    /// <summary>When the worker outage starts (calls then fail with <see cref="OutageFailureRate"/>). Default 4 minutes in.</summary>
    public TimeSpan OutageStart { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>How long the outage lasts; <see cref="TimeSpan.Zero"/> for none. Default 20 s.</summary>
    public TimeSpan OutageLength { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Probability that a call fails during the outage. Default 0.9.</summary>
    public double OutageFailureRate { get; set; } = 0.9;

    /// <summary>Width of one time-series sample. Default 10 s.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The policy to simulate; every tenant gets its default tier and calls spend from its category
    /// <see cref="Category"/>. Default <see langword="null"/>: <see cref="DefaultPolicy"/> built from the options above.
    /// </summary>
    public QuotaPolicy? Policy { get; set; }

    /// <summary>The category the simulated calls spend from. Default "work".</summary>
    public string Category { get; set; } = "work";

    /// <summary>
    /// The policy simulated when <see cref="Policy"/> is not set: one tier with the bucket above; Critical
    /// 20%, Standard 10% and Batch 10% reserved shares; max queue waits 5 s, 10 s, 30 s and 2 min; aging every 15 s;
    /// pools "critical" (2, Critical), "interactive" (4, High) and "shared" (6); breakers opening after 5
    /// failures for 10 s.
    /// </summary>
    public QuotaPolicy DefaultPolicy()
    {
        Validate();
        var c = CultureInfo.InvariantCulture;
        string json = string.Format(c, """
            {{
              "version": "simulation",
              "tiers": {{ "standard": {{ "categories": {{ "{0}": {{ "capacity": {1}, "refillPerSecond": {2} }} }} }} }},
              "defaultTier": "standard",
              "classes": {{
                "Critical": {{ "reservedShare": 0.2, "maxQueueWait": "00:00:05" }},
                "High":     {{ "maxQueueWait": "00:00:10" }},
                "Standard": {{ "reservedShare": 0.1, "maxQueueWait": "00:00:30" }},
                "Batch":    {{ "reservedShare": 0.1, "maxQueueWait": "00:02:00" }}
              }},
              "aging": {{ "promoteAfter": "00:00:15" }},
              "pools": {{
                "critical":    {{ "concurrency": 2, "classes": ["Critical"] }},
                "interactive": {{ "concurrency": 4, "classes": ["High"] }},
                "shared":      {{ "concurrency": 6 }}
              }},
              "circuitBreaker": {{ "failureThreshold": 5, "breakDuration": "00:00:10" }}
            }}
            """, Category, Capacity, RefillPerSecond);
        return QuotaPolicy.Parse(json, "simulation");
    }

    internal void Validate()
    {
        static void Require(bool ok, string name, object? value, string rule)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, value, name + " " + rule + ".");
            }
        }

        Require(Duration >= TimeSpan.FromSeconds(1) && Duration <= TimeSpan.FromDays(1), nameof(Duration), Duration, "must be between 1 second and 1 day");
        Require(Tenants is >= 1 and <= 1000, nameof(Tenants), Tenants, "must be between 1 and 1,000");
        Require(double.IsFinite(OverloadFactor) && OverloadFactor > 0 && OverloadFactor <= 1000, nameof(OverloadFactor), OverloadFactor, "must be a finite number greater than 0 and at most 1,000");
        Require(double.IsFinite(Capacity) && Capacity > 0, nameof(Capacity), Capacity, "must be a finite number greater than 0");
        Require(double.IsFinite(RefillPerSecond) && RefillPerSecond > 0, nameof(RefillPerSecond), RefillPerSecond, "must be a finite number greater than 0");
        ArgumentNullException.ThrowIfNull(ClassMix, nameof(ClassMix));
        ArgumentNullException.ThrowIfNull(ClassCost, nameof(ClassCost));
        Require(ClassMix.Length == 4 && ClassMix.All(m => double.IsFinite(m) && m >= 0) && ClassMix.Sum() > 0, nameof(ClassMix), string.Join(",", ClassMix),
            "must have 4 finite shares, zero or more, not all zero (Critical, High, Standard, Batch)");
        Require(ClassCost.Length == 4 && ClassCost.All(x => double.IsFinite(x) && x > 0 && x <= Capacity), nameof(ClassCost), string.Join(",", ClassCost),
            "must have 4 finite costs greater than 0 and at most the capacity");
        Require(MeanServiceTime > TimeSpan.Zero, nameof(MeanServiceTime), MeanServiceTime, "must be positive");
        Require(FallbackShare is >= 0 and <= 1, nameof(FallbackShare), FallbackShare, "must be between 0 and 1");
        Require(BurstingTenants >= 0 && BurstingTenants <= Tenants, nameof(BurstingTenants), BurstingTenants, "must be between 0 and Tenants");
        Require(BurstEvery > TimeSpan.Zero && BurstLength >= TimeSpan.Zero && BurstLength <= BurstEvery, nameof(BurstLength), BurstLength,
            "must be zero or more and at most BurstEvery (which must be positive)");
        Require(double.IsFinite(BurstFactor) && BurstFactor >= 1, nameof(BurstFactor), BurstFactor, "must be a finite number, at least 1");
        Require(FailureRate is >= 0 and <= 1, nameof(FailureRate), FailureRate, "must be between 0 and 1");
        Require(OutageFailureRate is >= 0 and <= 1, nameof(OutageFailureRate), OutageFailureRate, "must be between 0 and 1");
        Require(OutageStart >= TimeSpan.Zero && OutageLength >= TimeSpan.Zero, nameof(OutageLength), OutageLength, "and OutageStart must be zero or more");
        Require(SampleInterval > TimeSpan.Zero && SampleInterval <= Duration, nameof(SampleInterval), SampleInterval, "must be positive and at most Duration");
        ArgumentException.ThrowIfNullOrWhiteSpace(Category, nameof(Category));
    }
}
