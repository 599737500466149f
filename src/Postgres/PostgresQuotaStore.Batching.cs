using System.Collections.Concurrent;
using AgentQuotas.Postgres.Internal;
using AgentQuotas.Stores;

namespace AgentQuotas.Postgres;

// Combining concurrent acquisitions of one bucket. Without leasing every acquisition is a transaction that
// holds the bucket's row lock until its commit is flushed, so callers of one hot bucket queue behind each
// other's flushes. Instead, while one round trip for a bucket is in flight, later callers of that bucket
// wait in its line; when the round trip ends, everything waiting (up to MaxBatchSize) goes in one call of
// acquire_batch: one round trip, one transaction, one flush, each request decided in order exactly as a
// separate acquire() at that instant would decide it. A caller that finds the line idle goes alone, at once,
// so an uncontended bucket sees no added latency. Only the asynchronous API combines.
public sealed partial class PostgresQuotaStore
{
    private readonly ConcurrentDictionary<BucketKey, AcquireLine> _lines = new();

    /// <summary>How many buckets have a line of combined acquisitions right now (for tests).</summary>
    internal int CombiningLines => _lines.Count;

    private async ValueTask<QuotaStoreResult> AcquireCombinedAsync(QuotaStoreRequest request, AcquireArgs args, BucketShape shape, long costTicks, CancellationToken cancellationToken)
    {
        AcquireLine line = _lines.GetOrAdd(args.Key, static key => new AcquireLine(key));
        PendingAcquire? queued = null;
        lock (line)
        {
            if (line.Busy)
            {
                queued = new PendingAcquire(args);
                line.Waiting.Enqueue(queued);
            }
            else
            {
                line.Busy = true;
            }
        }

        CallStatus status;
        AcquireRow row;
        if (queued is null)
        {
            try
            {
                (status, row) = await CallAcquireAsync(args, "acquire", async: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                SendNext(line);
            }
        }
        else
        {
            (status, row) = await queued.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return status == CallStatus.Done ? ToResult(request.Key.Tenant, shape, row) : DecideUnavailable(request, shape, costTicks);
    }

    // Sends what waits in the line as the next batch, or marks the line idle.
    private void SendNext(AcquireLine line)
    {
        PendingAcquire[]? batch;
        lock (line)
        {
            batch = line.TakeBatch(_options.MaxBatchSize);
            if (batch is null)
            {
                // An idle line is dropped, so the store keeps lines only for buckets with a round trip in
                // flight, however many tenants come and go. A caller that still holds this line and locks it
                // later finds it idle and goes alone: combining saves round trips, correctness never needs it.
                line.Busy = false;
                _lines.TryRemove(new KeyValuePair<BucketKey, AcquireLine>(line.Key, line));
                return;
            }
        }

        _ = SendBatchAsync(line, batch);
    }

    private async Task SendBatchAsync(AcquireLine line, PendingAcquire[] batch)
    {
        try
        {
            if (batch.Length == 1)
            {
                (CallStatus status, AcquireRow row) = await CallAcquireAsync(batch[0].Args, "acquire", async: true, CancellationToken.None).ConfigureAwait(false);
                batch[0].Row = row;
                batch[0].Complete(status);
            }
            else
            {
                (CallStatus status, _) = await CallAcquireBatchAsync(new AcquireBatch(batch), CancellationToken.None).ConfigureAwait(false);
                foreach (PendingAcquire pending in batch)
                {
                    pending.Complete(status);
                }
            }
        }
        catch (Exception e)
        {
            // Not a store failure (those come back as a status): every caller of the batch sees it.
            foreach (PendingAcquire pending in batch)
            {
                pending.Fail(e);
            }
        }
        finally
        {
            SendNext(line);
        }
    }

    /// <summary>The callers waiting for one bucket while a round trip for it is in flight.</summary>
    private sealed class AcquireLine(BucketKey key)
    {
        public BucketKey Key { get; } = key;

        public Queue<PendingAcquire> Waiting { get; } = new();

        public bool Busy { get; set; }

        // Under the line's lock: the longest run of waiting requests, in arrival order, that one call of
        // acquire_batch can decide (one shape, one pair of ceilings); callers that gave up are dropped.
        public PendingAcquire[]? TakeBatch(int max)
        {
            var batch = new List<PendingAcquire>();
            while (batch.Count < max && Waiting.TryPeek(out PendingAcquire? next))
            {
                if (batch.Count > 0 && !batch[0].Args.SameBatch(next.Args))
                {
                    break;
                }

                Waiting.Dequeue();
                if (next.TrySend())
                {
                    batch.Add(next);
                }
            }

            return batch.Count == 0 ? null : batch.ToArray();
        }
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

    /// <summary>The requests of one acquire_batch call.</summary>
    private sealed class AcquireBatch(PendingAcquire[] requests)
    {
        public PendingAcquire[] Requests { get; } = requests;
    }
}
