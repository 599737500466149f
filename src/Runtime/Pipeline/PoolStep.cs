using System.Runtime.CompilerServices;
using AgentQuotas.Scheduling;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 5: a compute-pool slot, held until the ticket ends (so pools govern calls in runs, which have tickets).
/// Waits for a slot on the asynchronous path when the ladder enables <see cref="DegradationMode.Queued"/>.
/// </summary>
internal sealed class PoolStep
{
    private readonly ComputePoolSet _pools;
    private readonly BucketStep _bucket;
    private readonly RecordStep _record;

    public PoolStep(ComputePoolSet pools, BucketStep bucket, RecordStep record)
    {
        _pools = pools;
        _bucket = bucket;
        _record = record;
    }

    public ComputePoolSet Pools => _pools;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Flow Enter(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal) =>
        a.Run is null || a.Policy.Pools.Count == 0 ? Flow.Next : EnterPool(ref a, canWait, ref pending, cancellationToken, ref refusal);

    private Flow EnterPool(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal)
    {
        _pools.Sync(a.Policy);
        if (!_pools.IsConfigured)
        {
            return Flow.Next;
        }

        PoolEntry pool = _pools.Enter(a.WorkloadClass, a.Identity.Tenant, a.Policy.Schedule, _bucket.QueueLimit(a), canWait && _bucket.MayWait(a), BucketStep.MaxWaitTicks(a), a.Waited, cancellationToken,
            privileged: a.Tool.IsPrivileged || a.Tool.RequiresApproval);
        if (pool.Kind == PoolEntryKind.Rejected)
        {
            refusal = new Refusal(pool.Reason, Untaken(a), pool.Detail, pool.RetryAfter);
            return Flow.Refused;
        }

        a.Lease = pool.Lease;
        if (pool.Kind == PoolEntryKind.Granted)
        {
            return Flow.Next;
        }

        _record.Queued(in a, QuotaReason.PoolExhausted, "waiting for a compute-pool slot");
        pending.Kind = PendingKind.PoolWait;
        pending.Waiter = pool.Waiter;
        return Flow.Wait;
    }

    public static Flow OnWaited(ref Attempt a, in WaitResult wait, ref Refusal refusal)
    {
        a.Waited += wait.Waited;
        a.Queued = true;
        if (wait.Status != WaitStatus.Granted)
        {
            refusal = new Refusal(QuotaReason.QueueTimeout, Untaken(a), wait.Detail, wait.RetryAfter);
            return Flow.Refused;
        }

        a.Lease = wait.Lease;
        return Flow.Next;
    }

    /// <summary>Undo (and the end of a ticket): gives the slot back.</summary>
    public void Release(ref Attempt a)
    {
        PoolLease lease = a.Lease;
        a.Lease = default;
        Release(lease);
    }

    public void Release(in PoolLease lease)
    {
        if (lease.IsHeld)
        {
            _pools.Release(lease);
        }
    }

    // The bucket as it is once the refused call's units are back.
    private static QuotaStoreResult Untaken(in Attempt a) => new(QuotaStoreOutcome.Admitted, a.Taken.Remaining + a.Cost);
}
