namespace AgentQuotas.Policy;

/// <summary>Scheduling settings of one workload class.</summary>
public sealed class ClassPolicy
{
    internal ClassPolicy(WorkloadClass workloadClass, double reservedShare, TimeSpan? maxQueueWait, int? queueLimit, TimeSpan? waitBeforeDraft = null)
    {
        WaitBeforeDraft = waitBeforeDraft;
        Class = workloadClass;
        ReservedShare = reservedShare;
        MaxQueueWait = maxQueueWait;
        QueueLimit = queueLimit;
    }

    /// <summary>The class.</summary>
    public WorkloadClass Class { get; }

    /// <summary>Share of capacity kept for this class so it always makes progress (0 to 1; default 0).</summary>
    public double ReservedShare { get; }

    /// <summary>
    /// The longest a request of any class waits in queues when its class sets no <c>maxQueueWait</c>: one minute.
    /// No request waits without a bound; a request whose estimated wait is longer is refused at once.
    /// </summary>
    public static TimeSpan DefaultMaxQueueWait { get; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Longest a request of this class may wait in queues, as the policy sets it; <see langword="null"/> when it
    /// does not, and <see cref="DefaultMaxQueueWait"/> applies.
    /// </summary>
    public TimeSpan? MaxQueueWait { get; }

    /// <summary>The longest a request of this class waits in queues: <see cref="MaxQueueWait"/>, else <see cref="DefaultMaxQueueWait"/>.</summary>
    public TimeSpan EffectiveMaxQueueWait => MaxQueueWait ?? DefaultMaxQueueWait;

    /// <summary>Most requests of this class that may wait at once; <see langword="null"/> for the scheduler's default.</summary>
    public int? QueueLimit { get; }

    /// <summary>
    /// How long a call of this class to a tool with a fallback may wait in queues for the real tool before its
    /// draft (the <see cref="DegradationMode.DraftOnly"/> rung) serves it, as the policy sets it (<c>waitBeforeDraft</c>);
    /// <see langword="null"/> when it does not: the draft then serves at once, without waiting. At most
    /// <see cref="EffectiveMaxQueueWait"/>; it needs <see cref="DegradationMode.Queued"/> in the ladder to have an effect.
    /// </summary>
    /// <remarks>A call admitted within the wait is served by the tool with <see cref="DegradationMode.Queued"/>; one whose
    /// estimated wait is longer is drafted at once, without queueing.</remarks>
    public TimeSpan? WaitBeforeDraft { get; }
}
