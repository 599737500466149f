using System.Threading.Tasks.Sources;
using AgentQuotas.Stores;

namespace AgentQuotas.Scheduling;

/// <summary>How a wait in a scheduler queue ended.</summary>
internal enum WaitStatus
{
    Waiting = 0,
    Granted = 1,
    TimedOut = 2,
    Cancelled = 3,
    Refused = 4,
}

/// <summary>The result a waiter is completed with.</summary>
internal readonly struct WaitResult
{
    public WaitResult(WaitStatus status, QuotaStoreResult taken, PoolLease lease, TimeSpan waited, TimeSpan? retryAfter, string? detail)
    {
        Status = status;
        Taken = taken;
        Lease = lease;
        Waited = waited;
        RetryAfter = retryAfter;
        Detail = detail;
    }

    public WaitStatus Status { get; }

    /// <summary>For a bucket grant: what the store took. For a bucket refusal: why the store refused.</summary>
    public QuotaStoreResult Taken { get; }

    /// <summary>For a pool grant: the slot.</summary>
    public PoolLease Lease { get; }

    public TimeSpan Waited { get; }

    public TimeSpan? RetryAfter { get; }

    public string? Detail { get; }
}

/// <summary>
/// One request waiting in a <see cref="BucketQueue"/> or a <see cref="ComputePoolSet"/>. Linked into its
/// class's FIFO line (so removal on cancellation is O(1)) and completed exactly once through
/// <see cref="TryComplete"/>; awaiting it is a <see cref="ValueTask{TResult}"/> over this object.
/// </summary>
internal sealed class QueueWaiter : IValueTaskSource<WaitResult>
{
    private ManualResetValueTaskSourceCore<WaitResult> _core;
    private int _completed;
    private CancellationTokenRegistration _cancellation;

    public QueueWaiter(WorkloadClass workloadClass, double cost, string tenant, long enqueuedAt, long deadline, long sequence, bool runContinuationsAsynchronously)
    {
        Class = workloadClass;
        Cost = cost;
        Tenant = tenant;
        EnqueuedAt = enqueuedAt;
        Deadline = deadline;
        Sequence = sequence;
        _core.RunContinuationsAsynchronously = runContinuationsAsynchronously;
    }

    public WorkloadClass Class { get; }

    /// <summary>For a bucket waiter: what to take from the store when it is its turn.</summary>
    public QuotaStoreRequest StoreRequest { get; init; }

    /// <summary>The queue or pool set the waiter stands in.</summary>
    public object? Owner { get; init; }

    /// <summary>For a bucket waiter: whether its class may borrow (exempt from protecting other classes' reserves).</summary>
    public bool MayBorrow { get; init; }

    /// <summary>Whether the call is of a privileged tool (for compute pools: it is served by privileged pools only, when there are any).</summary>
    public bool Privileged { get; init; }

    public double Cost { get; }

    public string Tenant { get; }

    /// <summary>When it joined the queue (TimeProvider timestamp).</summary>
    public long EnqueuedAt { get; }

    /// <summary>When it times out (timestamp); <see cref="long.MaxValue"/> for never.</summary>
    public long Deadline { get; }

    /// <summary>Arrival order, for FIFO ties.</summary>
    public long Sequence { get; }

    // Owned by the queue's lock.
    public QueueWaiter? Previous { get; set; }

    public QueueWaiter? Next { get; set; }

    public bool Linked { get; set; }

    /// <summary>Set while the bucket pump is taking units for this waiter outside the lock.</summary>
    public bool InFlight { get; set; }

    /// <summary>Set when cancellation arrived while <see cref="InFlight"/>; the pump finishes the job.</summary>
    public bool CancelRequested { get; set; }

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public ValueTask<WaitResult> Task => new(this, _core.Version);

    public void RegisterCancellation(CancellationToken token, Action<object?, CancellationToken> onCancel)
    {
        if (token.CanBeCanceled)
        {
            _cancellation = token.UnsafeRegister(onCancel, this);
        }
    }

    /// <summary>Completes the wait once; later calls return <see langword="false"/>. Never call under a queue lock.</summary>
    public bool TryComplete(in WaitResult result)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        _cancellation.Dispose();
        _core.SetResult(result);
        return true;
    }

    public bool TryCancel(CancellationToken token)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        _core.SetException(new OperationCanceledException("The wait for quota was cancelled.", token));
        return true;
    }

    /// <summary>Ends the wait with an exception (the gate was disposed); once, like the other completions.</summary>
    public bool TryFail(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        _cancellation.Dispose();
        _core.SetException(exception);
        return true;
    }

    WaitResult IValueTaskSource<WaitResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<WaitResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<WaitResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
