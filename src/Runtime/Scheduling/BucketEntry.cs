using System.Runtime.InteropServices;
using AgentQuotas.Stores;

namespace AgentQuotas.Scheduling;

/// <summary>What happened when a request entered a bucket's queue.</summary>
internal enum BucketEntryKind
{
    /// <summary>The units were taken at once.</summary>
    Admitted = 0,

    /// <summary>The store refused and the request may not (or need not) wait: deny with the store's reason.</summary>
    Refused = 1,

    /// <summary>Admission control refused to queue it: deny with <see cref="BucketEntry.Reason"/>.</summary>
    Rejected = 2,

    /// <summary>It waits: await <see cref="BucketEntry.Waiter"/>.</summary>
    Waiting = 3,
}

/// <summary>The outcome of <see cref="BucketQueue.EnterAsync"/>.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct BucketEntry
{
    public BucketEntry(BucketEntryKind kind, QuotaStoreResult taken, QuotaReason reason = QuotaReason.None, TimeSpan? retryAfter = null, string? detail = null, QueueWaiter? waiter = null)
    {
        Kind = kind;
        Taken = taken;
        Reason = reason;
        RetryAfter = retryAfter;
        Detail = detail;
        Waiter = waiter;
    }

    public BucketEntryKind Kind { get; }

    public QuotaStoreResult Taken { get; }

    public QuotaReason Reason { get; }

    public TimeSpan? RetryAfter { get; }

    public string? Detail { get; }

    public QueueWaiter? Waiter { get; }
}

/// <summary>A request arriving at a bucket's queue.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct BucketArrival
{
    public BucketArrival(QuotaStoreRequest request, WorkloadClass workloadClass, string tenant, bool mayBorrow, SchedulingSettings settings, int queueLimit, bool canWait,
        long maxWaitTicks)
    {
        MaxWaitTicks = maxWaitTicks;
        Request = request;
        Class = workloadClass;
        Tenant = tenant;
        MayBorrow = mayBorrow;
        Settings = settings;
        QueueLimit = queueLimit;
        CanWait = canWait;
    }

    public QuotaStoreRequest Request { get; }

    public WorkloadClass Class { get; }

    public string Tenant { get; }

    /// <summary>Whether the class may borrow (emergency): it need not leave other classes' reserves.</summary>
    public bool MayBorrow { get; }

    public SchedulingSettings Settings { get; }

    public int QueueLimit { get; }

    public bool CanWait { get; }

    /// <summary>
    /// Most time this request may wait, in ticks: its class's maximum wait, or less for a call its fallback would
    /// serve after the class's waitBeforeDraft.
    /// </summary>
    public long MaxWaitTicks { get; }

    /// <summary>Whether the request waits only until its draft would serve it (a shorter bound than its class's).</summary>
    public bool WaitsForDraft => MaxWaitTicks != Settings.MaxWaitTicks[(int)Class];
}
