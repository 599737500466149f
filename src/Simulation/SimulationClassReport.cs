namespace AgentQuotas.Simulation;

/// <summary>What one workload class experienced in a simulation.</summary>
public sealed class SimulationClassReport
{
    internal SimulationClassReport(WorkloadClass workloadClass, long offered, long admitted, long queued, long degraded, long denied,
        double servedUnits, double shareOfServed, double shareOfCapacity, TimeSpan p50, TimeSpan p95, TimeSpan p99, TimeSpan max)
    {
        ShareOfCapacity = shareOfCapacity;
        Class = workloadClass;
        Offered = offered;
        Admitted = admitted;
        Queued = queued;
        Degraded = degraded;
        Denied = denied;
        ServedUnits = servedUnits;
        ShareOfServed = shareOfServed;
        QueueWaitP50 = p50;
        QueueWaitP95 = p95;
        QueueWaitP99 = p99;
        QueueWaitMax = max;
    }

    /// <summary>The class.</summary>
    public WorkloadClass Class { get; }

    /// <summary>Requests sent.</summary>
    public long Offered { get; }

    /// <summary>Requests admitted in full (at once or after waiting).</summary>
    public long Admitted { get; }

    /// <summary>Of <see cref="Admitted"/>, those served after waiting in a queue (mode Queued).</summary>
    public long Queued { get; }

    /// <summary>Requests served by their fallback (mode DraftOnly).</summary>
    public long Degraded { get; }

    /// <summary>Requests refused with nothing served.</summary>
    public long Denied { get; }

    /// <summary><see cref="Admitted"/> / <see cref="Offered"/>.</summary>
    public double CompletionRate => Offered == 0 ? 0 : (double)Admitted / Offered;

    /// <summary>Cost units admitted.</summary>
    public double ServedUnits { get; }

    /// <summary>This class's share of all units admitted.</summary>
    public double ShareOfServed { get; }

    /// <summary>
    /// Units admitted to this class as a share of all units the tenants' buckets supplied (capacity plus
    /// refill over the run): the rate a reserved share guarantees.
    /// </summary>
    public double ShareOfCapacity { get; }

    /// <summary>Median wait from arrival to admission, over admitted requests.</summary>
    public TimeSpan QueueWaitP50 { get; }

    /// <summary>95th percentile wait.</summary>
    public TimeSpan QueueWaitP95 { get; }

    /// <summary>99th percentile wait.</summary>
    public TimeSpan QueueWaitP99 { get; }

    /// <summary>Longest wait.</summary>
    public TimeSpan QueueWaitMax { get; }
}
