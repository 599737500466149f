using System.Runtime.InteropServices;
using AgentQuotas.Scheduling;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

/// <summary>What a waiting attempt waits for.</summary>
internal enum PendingKind : byte
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>A remote store's answer (<see cref="Pending.Store"/>).</summary>
    Store,

    /// <summary>A remote store's answer for the principal's own bucket (<see cref="Pending.Store"/>).</summary>
    Principal,

    /// <summary>Entry into the bucket's queue (<see cref="Pending.Entering"/>).</summary>
    BucketEntry,

    /// <summary>Units, in the bucket's queue (<see cref="Pending.Waiter"/>).</summary>
    BucketWait,

    /// <summary>A compute-pool slot (<see cref="Pending.Waiter"/>).</summary>
    PoolWait,

    /// <summary>The approval service's answer (<see cref="Pending.Approval"/>).</summary>
    Approval,
}

/// <summary>What a step handed back to wait for, on the asynchronous path.</summary>
[StructLayout(LayoutKind.Auto)]
internal struct Pending
{
    public PendingKind Kind;
    public ValueTask<QuotaStoreResult> Store;
    public ValueTask<BucketEntry> Entering;
    public QueueWaiter? Waiter;
    public ValueTask<ApprovalDecision> Approval;
}
