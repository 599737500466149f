using System.Globalization;
using System.Text;

namespace AgentQuotas.Simulation;

/// <summary>
/// The outcome of <see cref="FairnessSimulation.Run"/>: per class queue-wait percentiles, completion rates,
/// denials and degradations; per tenant service and Jain's fairness index; over-admission (units admitted
/// beyond what the buckets supplied, and calls run beyond pool limits: both must be 0); and a time series.
/// </summary>
public sealed class SimulationReport
{
    internal SimulationReport(
        SimulationOptions options,
        string policyVersion,
        IReadOnlyList<SimulationClassReport> classes,
        IReadOnlyList<SimulationTenantReport> tenants,
        double jainIndex,
        double overAdmission,
        int poolOverAdmission,
        IReadOnlyDictionary<QuotaReason, long> denialsByReason,
        TimeSpan criticalRefillTime,
        double batchReservedShare,
        int circuitOpenings,
        long unfinished,
        long events,
        IReadOnlyList<string> poolNames,
        IReadOnlyList<SimulationSample> series)
    {
        Options = options;
        PolicyVersion = policyVersion;
        Classes = classes;
        Tenants = tenants;
        JainIndex = jainIndex;
        OverAdmission = overAdmission;
        PoolOverAdmission = poolOverAdmission;
        DenialsByReason = denialsByReason;
        CriticalRefillTime = criticalRefillTime;
        BatchReservedShare = batchReservedShare;
        CircuitOpenings = circuitOpenings;
        Unfinished = unfinished;
        Events = events;
        PoolNames = poolNames;
        Series = series;
    }

    /// <summary>The options simulated.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The simulated policy's version.</summary>
    public string PolicyVersion { get; }

    /// <summary>One report per class, Critical first.</summary>
    public IReadOnlyList<SimulationClassReport> Classes { get; }

    /// <summary>One report per tenant.</summary>
    public IReadOnlyList<SimulationTenantReport> Tenants { get; }

    /// <summary>Jain's fairness index of the units served per tenant (all tenants have equal weight): 1 is perfectly even.</summary>
    public double JainIndex { get; }

    /// <summary>The most units any tenant was admitted beyond capacity (+ burst and emergency allowances) + refill x elapsed, at any moment. Must be 0.</summary>
    public double OverAdmission { get; }

    /// <summary>The most calls any pool ran beyond its concurrency, at any moment. Must be 0.</summary>
    public int PoolOverAdmission { get; }

    /// <summary>Refusals (denied or degraded) by reason.</summary>
    public IReadOnlyDictionary<QuotaReason, long> DenialsByReason { get; }

    /// <summary>The time a tenant's bucket takes to refill the cost of one Critical request.</summary>
    public TimeSpan CriticalRefillTime { get; }

    /// <summary>The Batch class's reserved share in the simulated policy.</summary>
    public double BatchReservedShare { get; }

    /// <summary>How often the category's circuit breaker opened.</summary>
    public int CircuitOpenings { get; }

    /// <summary>Requests still waiting when the simulation stopped (they are cancelled then).</summary>
    public long Unfinished { get; }

    /// <summary>Events processed (arrivals, completions, timers).</summary>
    public long Events { get; }

    /// <summary>The pools, in the order of <see cref="SimulationSample.PoolInUse"/>.</summary>
    public IReadOnlyList<string> PoolNames { get; }

    /// <summary>The time series, one sample per <see cref="SimulationOptions.SampleInterval"/>.</summary>
    public IReadOnlyList<SimulationSample> Series { get; }

    /// <summary>The report of one class.</summary>
    /// <param name="workloadClass">The class.</param>
    public SimulationClassReport this[WorkloadClass workloadClass] => Classes[(int)workloadClass];

    /// <summary>A plain-text summary (the figures quoted in docs/scheduling.md).</summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(string.Format(c, "Fairness simulation: {0} tenants, {1:0.#}x overload, {2}, seed {3}, policy {4}",
            Options.Tenants, Options.OverloadFactor, QuotaMessages.FormatDuration(Options.Duration), Options.Seed, PolicyVersion));
        text.AppendLine("class     offered  admitted  queued  degraded  denied  completion  served  of capacity  p50 wait  p95 wait  p99 wait");
        foreach (SimulationClassReport r in Classes)
        {
            text.AppendLine(string.Format(c, "{0,-8} {1,8} {2,9} {3,7} {4,9} {5,7} {6,10:P1} {7,7:P1} {8,12:P1} {9,9} {10,9} {11,9}",
                r.Class, r.Offered, r.Admitted, r.Queued, r.Degraded, r.Denied, r.CompletionRate, r.ShareOfServed, r.ShareOfCapacity,
                Seconds(r.QueueWaitP50), Seconds(r.QueueWaitP95), Seconds(r.QueueWaitP99)));
        }

        text.AppendLine(string.Format(c, "Jain's index over {0} tenants: {1:0.0000}; over-admission: {2} units, {3} pool slots; Critical refill time {4}; circuit openings {5}; unfinished {6}",
            Tenants.Count, JainIndex, OverAdmission, PoolOverAdmission, Seconds(CriticalRefillTime), CircuitOpenings, Unfinished));
        text.AppendLine("refusals: " + string.Join(", ", DenialsByReason.Select(d => d.Key + " " + d.Value.ToString(c))));
        return text.ToString();

        static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + "s";
    }

    /// <inheritdoc/>
    public override string ToString() => ToText();
}
