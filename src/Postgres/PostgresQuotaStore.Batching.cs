using AgentQuotas.Postgres.Internal;
using AgentQuotas.Stores;

namespace AgentQuotas.Postgres;

// Combining concurrent acquisitions, of one bucket or of many. Without leasing every acquisition is a
// transaction whose commit is flushed to the WAL before it is confirmed; on a small server the flushes and
// the per-transaction work, not the decisions, bound the rate. So at most CombiningLanes round trips of
// acquisitions are in flight at once; a caller that finds a lane free (and no round trip of its bucket in flight) goes
// alone, at once, so an uncontended store adds no latency. Callers that arrive meanwhile wait; when a round
// trip ends, everything waiting (up to MaxBatchSize, of any buckets and tenants) goes in one call of
// acquire_many: one round trip, one transaction, one flush, each request decided in arrival order exactly
// as a separate acquire() at that instant would decide it, with its own answer. A batch whose requests all
// name one bucket under one pair of ceilings goes to acquire_batch instead, which decides them the same way
// with one bucket row and no arrays of buckets, so a hot bucket does not pay for acquire_many's generality (one
// pair of quick runs under heavy load suggested 5,019 against 3,461 acquires/s for one bucket and 64 callers;
// not yet confirmed on a quiet machine: docs/benchmarks.md).
//
// - At most one round trip per bucket is in flight from this store, so its own batches never wait for each
//   other's row locks; acquire_many locks its rows in key order, so batches of different hosts cannot deadlock.
// - A batch is one transaction: every decision in it is committed, or none is. A store failure (connection
//   lost, timeout) reaches every caller of the batch as a failed round trip (fail-closed, fail-open or
//   fallback then decide, as for a lone acquisition). When the server refuses the batch for the data of one
//   request (nothing was applied), each request is sent again alone, so only the one at fault sees the error.
// - A caller's wait is bounded by its cancellation token: one that gives up before its request is sent
//   withdraws it and is charged nothing; once sent, its outcome is unknown to it, as for any cancelled round
//   trip, and an admission stays charged. The round trip itself is bounded by CommandTimeout.
// Only the asynchronous API combines.
public sealed partial class PostgresQuotaStore
{
    /// <summary>
    /// Round trips of acquisitions this store has in flight at most. Several, so that callers do not wait a whole
    /// round trip for a lane (some compute while others flush); few, so that each carries a batch. Measured on
    /// the 2-core machine: with 2, 16 callers over 256 buckets waited for lanes and lost to separate calls.
    /// </summary>
    internal const int CombiningLanes = 4;

    private readonly object _combining = new();
    private readonly List<PendingAcquire> _waiting = [];
    private readonly HashSet<BucketKey> _inFlight = [];
    private int _busyLanes;
    private long _acquireBatchCalls;
    private long _acquireManyCalls;

    /// <summary>How many combined batches went to acquire_batch (one bucket) and to acquire_many (several), for tests.</summary>
    internal (long AcquireBatch, long AcquireMany) CombinedCalls => (Interlocked.Read(ref _acquireBatchCalls), Interlocked.Read(ref _acquireManyCalls));

    /// <summary>How many buckets have a round trip of acquisitions in flight right now (for tests).</summary>
    internal int CombiningLines
    {
        get
        {
            lock (_combining)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>How many combined acquisitions wait for a round trip right now (for tests).</summary>
    internal int CombiningWaiters
    {
        get
        {
            lock (_combining)
            {
                return _waiting.Count;
            }
        }
    }

    private async ValueTask<QuotaStoreResult> AcquireCombinedAsync(QuotaStoreRequest request, AcquireArgs args, BucketShape shape, long costTicks, CancellationToken cancellationToken)
    {
        var pending = new PendingAcquire(args);
        PendingAcquire[]? batch;
        lock (_combining)
        {
            _waiting.Add(pending);
            batch = TakeBatch();
        }

        CallStatus status;
        AcquireRow row;
        if (batch is [PendingAcquire alone] && ReferenceEquals(alone, pending))
        {
            // Alone: its own round trip, cancelled with its own token.
            try
            {
                (status, row) = await CallAcquireAsync(args, "acquire", async: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                EndRoundTrip(batch);
            }
        }
        else
        {
            if (batch is not null)
            {
                _ = SendBatchAsync(batch);
            }

            (status, row) = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return status == CallStatus.Done ? ToResult(request.Key.Tenant, shape, row) : DecideUnavailable(request, shape, costTicks);
    }

    // Under _combining: when a lane is free, takes the longest run of waiting requests, in arrival order, that
    // one call of acquire_many can decide, and claims the lane and their buckets. A request waits on while its
    // bucket has a round trip in flight, or when an earlier request of its bucket in this batch has another
    // shape (a bucket has one shape per call); later requests of that bucket wait with it, so each bucket's
    // requests are decided in arrival order. Requests withdrawn by their callers are dropped.
    private PendingAcquire[]? TakeBatch()
    {
        if (_busyLanes >= CombiningLanes || _waiting.Count == 0)
        {
            return null;
        }

        List<PendingAcquire>? batch = null;
        Dictionary<BucketKey, BucketShape>? shapes = null;
        HashSet<BucketKey>? held = null;
        int kept = 0;
        int max = _options.MaxBatchSize;
        for (int i = 0; i < _waiting.Count; i++)
        {
            PendingAcquire next = _waiting[i];
            if (next.IsWithdrawn)
            {
                continue;
            }

            BucketKey key = next.Args.Key;
            bool take = (batch is null || batch.Count < max) && !_inFlight.Contains(key) && held?.Contains(key) != true;
            if (take && shapes is not null && shapes.TryGetValue(key, out BucketShape? shape) && !ReferenceEquals(shape, next.Args.Shape))
            {
                (held ??= []).Add(key);
                take = false;
            }

            if (!take)
            {
                _waiting[kept++] = next;
            }
            else if (next.TrySend())
            {
                (batch ??= []).Add(next);
                (shapes ??= [])[key] = next.Args.Shape;
            }
        }

        _waiting.RemoveRange(kept, _waiting.Count - kept);
        if (batch is null)
        {
            return null;
        }

        _busyLanes++;
        foreach (BucketKey key in shapes!.Keys)
        {
            _inFlight.Add(key);
        }

        return batch.ToArray();
    }

    // A round trip ended: frees its lane and buckets and sends what can go next.
    private void EndRoundTrip(PendingAcquire[] batch)
    {
        PendingAcquire[]? next;
        lock (_combining)
        {
            foreach (PendingAcquire pending in batch)
            {
                _inFlight.Remove(pending.Args.Key);
            }

            _busyLanes--;
            next = TakeBatch();
        }

        if (next is not null)
        {
            _ = SendBatchAsync(next);
        }
    }

    private async Task SendBatchAsync(PendingAcquire[] batch)
    {
        try
        {
            if (batch.Length == 1)
            {
                await SendAloneAsync(batch[0]).ConfigureAwait(false);
            }
            else
            {
                bool refused = false;
                try
                {
                    (CallStatus status, _) = OneBucket(batch)
                        ? await CallAcquireBatchAsync(batch, CancellationToken.None).ConfigureAwait(false)
                        : await CallAcquireManyAsync(new AcquireBatch(batch), CancellationToken.None).ConfigureAwait(false);
                    foreach (PendingAcquire pending in batch)
                    {
                        pending.Complete(status);
                    }
                }
                catch (PostgresStoreException)
                {
                    refused = true;
                }

                if (refused)
                {
                    // The server refused the batch for the data of some request and rolled it back: nothing of
                    // it was applied. Each request goes again alone, so only the one at fault fails.
                    foreach (PendingAcquire pending in batch)
                    {
                        try
                        {
                            await SendAloneAsync(pending).ConfigureAwait(false);
                        }
                        catch (Exception e)
                        {
                            pending.Fail(e);
                        }
                    }
                }
            }
        }
        catch (Exception e)
        {
            // Not a store failure (those come back as a status): every caller of the batch not yet answered sees it.
            foreach (PendingAcquire pending in batch)
            {
                pending.Fail(e);
            }
        }
        finally
        {
            EndRoundTrip(batch);
        }
    }

    // Whether acquire_batch can decide the whole batch: one bucket (TakeBatch already gives a bucket one shape
    // per batch) and one pair of ceilings (acquire_batch takes one pair; a policy reload can change them between requests).
    private static bool OneBucket(PendingAcquire[] batch)
    {
        AcquireArgs first = batch[0].Args;
        for (int i = 1; i < batch.Length; i++)
        {
            AcquireArgs next = batch[i].Args;
            if (!next.Key.Equals(first.Key) || !ReferenceEquals(next.Shape, first.Shape) || next.DayCeiling != first.DayCeiling || next.MonthCeiling != first.MonthCeiling)
            {
                return false;
            }
        }

        return true;
    }

    private async Task SendAloneAsync(PendingAcquire pending)
    {
        (CallStatus status, AcquireRow row) = await CallAcquireAsync(pending.Args, "acquire", async: true, CancellationToken.None).ConfigureAwait(false);
        pending.Row = row;
        pending.Complete(status);
    }

    /// <summary>One waiting acquisition: sent at most once, or withdrawn by its caller before it is sent.</summary>
    private sealed class PendingAcquire(AcquireArgs args)
    {
        private const int Queued = 0, Sent = 1, Withdrawn = 2;
        private readonly TaskCompletionSource<CallStatus> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public AcquireArgs Args { get; } = args;

        /// <summary>Set before completion: the function's answer for this request.</summary>
        public AcquireRow Row { get; set; }

        public bool IsWithdrawn => Volatile.Read(ref _state) == Withdrawn;

        public bool TrySend() => Interlocked.CompareExchange(ref _state, Sent, Queued) == Queued;

        public void Complete(CallStatus status) => _done.TrySetResult(status);

        public void Fail(Exception e) => _done.TrySetException(e);

        public async ValueTask<(CallStatus Status, AcquireRow Row)> WaitAsync(CancellationToken cancellationToken)
        {
            try
            {
                return (await _done.Task.WaitAsync(cancellationToken).ConfigureAwait(false), Row);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A caller that gives up before its request is sent withdraws it: nothing is charged. Once sent,
                // its outcome is unknown to it, as for any cancelled round trip (an admission stays charged).
                Interlocked.CompareExchange(ref _state, Withdrawn, Queued);
                throw;
            }
        }
    }

    /// <summary>The requests of one acquire_many call, and the distinct buckets they name.</summary>
    private sealed class AcquireBatch
    {
        public AcquireBatch(PendingAcquire[] requests)
        {
            Requests = requests;
            BucketOf = new int[requests.Length];
            var index = new Dictionary<BucketKey, int>();
            var buckets = new List<AcquireArgs>();
            for (int i = 0; i < requests.Length; i++)
            {
                AcquireArgs args = requests[i].Args;
                if (!index.TryGetValue(args.Key, out int bucket))
                {
                    bucket = buckets.Count + 1; // acquire_many counts from 1
                    index.Add(args.Key, bucket);
                    buckets.Add(args);
                }

                BucketOf[i] = bucket;
            }

            Buckets = buckets;
        }

        public PendingAcquire[] Requests { get; }

        /// <summary>Each request's bucket, an index from 1 into <see cref="Buckets"/>.</summary>
        public int[] BucketOf { get; }

        /// <summary>The first request of each bucket (its key and shape).</summary>
        public List<AcquireArgs> Buckets { get; }
    }
}
