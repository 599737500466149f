using System.Runtime.InteropServices;

namespace AgentQuotas.Scheduling;

/// <summary>What happened when a call asked the compute pools for a slot.</summary>
internal enum PoolEntryKind
{
    /// <summary>A slot was granted at once (or no pool is configured: <see cref="PoolEntry.Lease"/> is empty).</summary>
    Granted = 0,

    /// <summary>No slot and the call may not wait (or admission control refused): deny with <see cref="PoolEntry.Reason"/>.</summary>
    Rejected = 1,

    /// <summary>It waits: await <see cref="PoolEntry.Waiter"/>.</summary>
    Waiting = 2,
}

/// <summary>The outcome of <see cref="ComputePoolSet.Enter"/>.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct PoolEntry
{
    public PoolEntry(PoolEntryKind kind, PoolLease lease = default, QuotaReason reason = QuotaReason.None, TimeSpan? retryAfter = null, string? detail = null, QueueWaiter? waiter = null)
    {
        Kind = kind;
        Lease = lease;
        Reason = reason;
        RetryAfter = retryAfter;
        Detail = detail;
        Waiter = waiter;
    }

    public PoolEntryKind Kind { get; }

    public PoolLease Lease { get; }

    public QuotaReason Reason { get; }

    public TimeSpan? RetryAfter { get; }

    public string? Detail { get; }

    public QueueWaiter? Waiter { get; }
}
