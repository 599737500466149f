namespace AgentQuotas.Simulation;

/// <summary>One interval of a simulation's time series (for charts: queue wait per class over time, bucket levels, degradations).</summary>
/// <param name="Start">When the interval starts, from the start of the simulation.</param>
/// <param name="Admitted">Requests admitted in the interval, per class (indexed by <see cref="WorkloadClass"/>).</param>
/// <param name="QueueWaitP95Seconds">95th percentile queue wait of those admissions, per class, in seconds (NaN when none).</param>
/// <param name="Degraded">Requests served by a fallback in the interval.</param>
/// <param name="Denied">Requests refused in the interval.</param>
/// <param name="Waiting">Requests waiting in queues at the end of the interval.</param>
/// <param name="MeanBucketLevel">Mean units left in the tenants' buckets at the end of the interval.</param>
/// <param name="PoolInUse">Slots in use per pool at the end of the interval (in <see cref="SimulationReport.PoolNames"/> order).</param>
/// <param name="CircuitOpen">Whether the category's circuit breaker was not closed at the end of the interval.</param>
public sealed record SimulationSample(
    TimeSpan Start,
    IReadOnlyList<long> Admitted,
    IReadOnlyList<double> QueueWaitP95Seconds,
    long Degraded,
    long Denied,
    int Waiting,
    double MeanBucketLevel,
    IReadOnlyList<int> PoolInUse,
    bool CircuitOpen);
