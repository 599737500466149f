namespace AgentQuotas.Policy;

/// <summary>Scheduling settings of one workload class.</summary>
public sealed class ClassPolicy
{
    internal ClassPolicy(WorkloadClass workloadClass, double reservedShare, TimeSpan? maxQueueWait, int? queueLimit)
    {
        Class = workloadClass;
        ReservedShare = reservedShare;
        MaxQueueWait = maxQueueWait;
        QueueLimit = queueLimit;
    }

    /// <summary>The class.</summary>
    public WorkloadClass Class { get; }

    /// <summary>Share of capacity kept for this class so it always makes progress (0 to 1; default 0).</summary>
    public double ReservedShare { get; }

    /// <summary>Longest a request of this class may wait in a queue; <see langword="null"/> for no limit.</summary>
    public TimeSpan? MaxQueueWait { get; }

    /// <summary>Most requests of this class that may wait at once; <see langword="null"/> for the scheduler's default.</summary>
    public int? QueueLimit { get; }
}
