using AgentQuotas.Scheduling;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 4: the units. Straight from the store while the bucket is uncontended (the store's fast path); through
/// the bucket's priority queue when it has one or reserved shares need the accounting, waiting there on the
/// asynchronous path when the ladder enables <see cref="DegradationMode.Queued"/>.
/// </summary>
internal sealed class BucketStep
{
    private readonly IQuotaStore _store;
    private readonly TimeProvider _clock;
    private readonly BucketScheduler _buckets;
    private readonly int _defaultQueueLimit;
    private readonly RecordStep _record;

    public BucketStep(IQuotaStore store, TimeProvider clock, BucketScheduler buckets, int defaultQueueLimit, RecordStep record)
    {
        _record = record;
        _store = store;
        _clock = clock;
        _buckets = buckets;
        _defaultQueueLimit = defaultQueueLimit;
    }

    public BucketScheduler Buckets => _buckets;

    public Flow Take(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal)
    {
        if (a.Policy.HasReservedShares || _buckets.TryGet(a.Key, out _))
        {
            return Enter(ref a, canWait, ref pending, cancellationToken, ref refusal);
        }

        if (!canWait)
        {
            return OnStoreAnswered(ref a, _store.TryAcquireAt(a.StoreRequest(), _clock, a.Timestamp, a.Hints), canWait, ref pending, cancellationToken, ref refusal);
        }

        ValueTask<QuotaStoreResult> taking = _store.TryAcquireAtAsync(a.StoreRequest(), _clock, a.Timestamp, a.Hints, cancellationToken);
        if (taking.IsCompletedSuccessfully)
        {
            return OnStoreAnswered(ref a, taking.Result, canWait, ref pending, cancellationToken, ref refusal);
        }

        pending.Kind = PendingKind.Store;
        pending.Store = taking;
        return Flow.Wait;
    }

    /// <summary>The store answered: the units are taken, or the call queues for them (when it may wait), or it is refused.</summary>
    public Flow OnStoreAnswered(ref Attempt a, in QuotaStoreResult taken, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal)
    {
        a.Taken = taken;
        if (taken.IsAdmitted)
        {
            a.UnitsTaken = true;
            a.Detail = taken.Detail;
            return Flow.Next;
        }

        if (canWait && taken.Outcome == QuotaStoreOutcome.BucketExhausted && taken.RetryAfter is not null && MayWait(a))
        {
            return Enter(ref a, canWait, ref pending, cancellationToken, ref refusal);
        }

        refusal = Refusal.FromStore(taken, taken.Detail);
        return Flow.Refused;
    }

    /// <summary>The bucket's queue let the call in, refused it, or made it wait.</summary>
    public Flow OnEntered(ref Attempt a, in BucketEntry entry, ref Pending pending, ref Refusal refusal)
    {
        a.Taken = entry.Taken;
        switch (entry.Kind)
        {
            case BucketEntryKind.Admitted:
                a.UnitsTaken = true;
                a.Detail = entry.Taken.Detail;
                return Flow.Next;

            case BucketEntryKind.Refused:
                refusal = Refusal.FromStore(entry.Taken, entry.Detail ?? entry.Taken.Detail);
                return Flow.Refused;

            case BucketEntryKind.Rejected:
                refusal = new Refusal(entry.Reason, entry.Taken, entry.Detail, entry.RetryAfter);
                return Flow.Refused;

            default:
                _record.Queued(in a, QuotaReason.BucketExhausted, "waiting for units of '" + a.Key + "'");
                pending.Kind = PendingKind.BucketWait;
                pending.Waiter = entry.Waiter;
                return Flow.Wait;
        }
    }

    /// <summary>The wait in the queue ended: units granted, or a timeout or refusal.</summary>
    public static Flow OnWaited(ref Attempt a, in WaitResult wait, ref Refusal refusal)
    {
        a.Waited += wait.Waited;
        a.Queued = true;
        a.Taken = wait.Taken;
        if (wait.Status == WaitStatus.Granted)
        {
            a.UnitsTaken = true;
            a.Detail = wait.Taken.Detail;
            return Flow.Next;
        }

        refusal = wait.Status == WaitStatus.TimedOut
            ? new Refusal(QuotaReason.QueueTimeout, wait.Taken, wait.Detail, wait.RetryAfter)
            : new Refusal(Refusal.ToReason(wait.Taken.Outcome), wait.Taken, wait.Detail, wait.RetryAfter);
        return Flow.Refused;
    }

    /// <summary>Undo: gives the units back to the bucket and the spend ledger.</summary>
    public ValueTask GiveBack(ref Attempt a, bool synchronous)
    {
        if (!a.UnitsTaken)
        {
            return default;
        }

        a.UnitsTaken = false;
        var key = new BucketKey(a.Identity.Tenant, a.Tool.Category);
        if (synchronous)
        {
            _store.Settle(key, a.Budget!.Limits, -a.Cost);
            WakeWaiters(key);
            return default;
        }

        ValueTask settling = _store.SettleAsync(key, a.Budget!.Limits, -a.Cost);
        if (settling.IsCompletedSuccessfully)
        {
            WakeWaiters(key);
            return default;
        }

        return SettleThenWakeAsync(settling, key);
    }

    private async ValueTask SettleThenWakeAsync(ValueTask settling, BucketKey key)
    {
        await settling.ConfigureAwait(false);
        WakeWaiters(key);
    }

    /// <summary>
    /// Units given back (a refused attempt's undo, a refund) are served to the bucket's waiters now, not when the
    /// queue's timer next expects refill: with a slow refill that could be most of their maximum wait.
    /// </summary>
    private void WakeWaiters(in BucketKey key)
    {
        if (_buckets.TryGet(key, out BucketQueue? queue) && queue.Count > 0)
        {
            queue.Kick();
        }
    }

    /// <summary>Usage paid for afterwards may start while the bucket is not empty (or in debt).</summary>
    public Flow CheckUsage(in Attempt a, out BucketSnapshot bucket, ref Refusal refusal)
    {
        BucketLimits limits = a.Budget!.Limits;
        bucket = _store.Peek(a.Key, limits);
        if (bucket.Available > 0)
        {
            return Flow.Next;
        }

        // Enough refill to climb out of debt and have something to spend again.
        TimeSpan? retryAfter = limits.RefillPerSecond > 0 ? TimeSpan.FromSeconds((1 - bucket.Available) / limits.RefillPerSecond) : null;
        refusal = new Refusal(QuotaReason.BucketExhausted, new QuotaStoreResult(QuotaStoreOutcome.BucketExhausted, bucket.Available),
            $"The '{a.Tool.Category}' bucket is empty or in debt after earlier usage.", retryAfter);
        return Flow.Refused;
    }

    /// <summary>
    /// Charges <paramref name="delta"/> units already spent (a cost correction, usage), or refunds a negative one;
    /// the bucket may go into debt. Returns what the bucket holds afterwards.
    /// </summary>
    public double Charge(in BucketKey key, BucketLimits limits, double delta)
    {
        if (delta != 0)
        {
            _store.Settle(key, limits, delta);
            if (delta < 0)
            {
                WakeWaiters(key);
            }
        }

        return _store.Peek(key, limits).Available;
    }

    /// <summary>Settles an admitted call's cost correction.</summary>
    public void Settle(in BucketKey key, BucketLimits limits, double delta)
    {
        _store.Settle(key, limits, delta);
        if (delta < 0)
        {
            WakeWaiters(key);
        }
    }

    /// <summary>
    /// Whether a call may wait on the Queued rung: the ladder enables it, the class may queue at all, and the tool
    /// has no fallback that the ladder would serve first (DraftOnly comes before Queued) unless the class prefers a
    /// short wait to a draft (its <c>waitBeforeDraft</c>).
    /// </summary>
    public bool MayWait(in Attempt a) =>
        a.Policy.AllowsQueueing && (!Drafts(a) || a.Policy.Schedule.DraftWaitTicks[(int)a.WorkloadClass] > 0) && QueueLimit(a) > 0;

    /// <summary>
    /// The longest the call may wait, in ticks: its class's maximum queue wait, or its class's <c>waitBeforeDraft</c>
    /// when the tool's fallback would serve it.
    /// </summary>
    public static long MaxWaitTicks(in Attempt a)
    {
        int c = (int)a.WorkloadClass;
        return Drafts(a) ? a.Policy.Schedule.DraftWaitTicks[c] : a.Policy.Schedule.MaxWaitTicks[c];
    }

    // Whether a refusal of the call would be served by its fallback.
    private static bool Drafts(in Attempt a) => a.Tool.HasFallback && a.Policy.AllowsDraftOnly;

    public int QueueLimit(in Attempt a) => a.Policy.Schedule.QueueLimits[(int)a.WorkloadClass] ?? _defaultQueueLimit;

    private Flow Enter(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal)
    {
        QuotaStoreRequest request = a.StoreRequest();
        var arrival = new BucketArrival(request, a.WorkloadClass, a.Identity.Tenant, a.MayBorrow, a.Policy.Schedule, QueueLimit(a), canWait && MayWait(a), MaxWaitTicks(a));
        if (!canWait)
        {
            BucketEntry entry = _buckets.Enter(request.Key, arrival);
            return OnEntered(ref a, entry, ref pending, ref refusal); // a synchronous entry never waits
        }

        ValueTask<BucketEntry> entering = _buckets.EnterAsync(request.Key, arrival, cancellationToken);
        pending.Kind = PendingKind.BucketEntry;
        pending.Entering = entering;
        return Flow.Wait;
    }
}
