using System.Collections.Concurrent;
using AgentQuotas.Stores;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Scheduling;

/// <summary>
/// The gate's bucket queues: one <see cref="BucketQueue"/> per contended bucket. A bucket nobody waits for
/// and whose reserves are full has no queue, so the uncontended path costs one volatile read.
/// </summary>
internal sealed class BucketScheduler
{
    private readonly ConcurrentDictionary<BucketKey, BucketQueue> _queues = new();
    private readonly long _timestampDivisor;
    private readonly double _timestampScale;
    private readonly ILogger _logger;
    private int _queueCount;
    private int _waiting;
    private long _sequence;

    public BucketScheduler(IQuotaStore store, TimeProvider time, bool runContinuationsAsynchronously, ILogger logger)
    {
        Store = store;
        Time = time;
        RunContinuationsAsynchronously = runContinuationsAsynchronously;
        _logger = logger;
        long frequency = time.TimestampFrequency;
        if (frequency % TimeSpan.TicksPerSecond == 0)
        {
            _timestampDivisor = frequency / TimeSpan.TicksPerSecond;
        }
        else
        {
            _timestampScale = (double)TimeSpan.TicksPerSecond / frequency;
        }
    }

    public IQuotaStore Store { get; }

    public TimeProvider Time { get; }

    public bool RunContinuationsAsynchronously { get; }

    /// <summary>Requests waiting in any bucket queue.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Buckets with a queue now.</summary>
    public int QueueCount => Volatile.Read(ref _queueCount);

    /// <summary>Adds the requests waiting now in each bucket queue, by workload class (for the queue-depth gauge).</summary>
    public void CountWaiting(Span<int> byClass)
    {
        if (Volatile.Read(ref _queueCount) == 0)
        {
            return;
        }

        foreach (KeyValuePair<BucketKey, BucketQueue> entry in _queues)
        {
            for (int c = 0; c < byClass.Length; c++)
            {
                byClass[c] += entry.Value.CountOf((WorkloadClass)c);
            }
        }
    }

    /// <summary>Now, in <see cref="TimeSpan"/> ticks of the monotonic clock.</summary>
    public long Now()
    {
        long timestamp = Time.GetTimestamp();
        return _timestampDivisor != 0 ? timestamp / _timestampDivisor : (long)(timestamp * _timestampScale);
    }

    /// <summary>The queue of <paramref name="key"/>, if the bucket has one. One volatile read when no bucket has.</summary>
    public bool TryGet(in BucketKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BucketQueue? queue)
    {
        if (Volatile.Read(ref _queueCount) == 0)
        {
            queue = null;
            return false;
        }

        return _queues.TryGetValue(key, out queue);
    }

    public BucketQueue GetOrCreate(in BucketKey key, BucketLimits limits, SchedulingSettings settings)
    {
        while (true)
        {
            if (_queues.TryGetValue(key, out BucketQueue? existing) && !existing.IsRetired)
            {
                return existing;
            }

            var created = new BucketQueue(this, key, limits, settings, Now());
            if (existing is null ? _queues.TryAdd(key, created) : _queues.TryUpdate(key, created, existing))
            {
                if (existing is null)
                {
                    Interlocked.Increment(ref _queueCount);
                }

                return created;
            }
        }
    }

    /// <summary>Synchronous entry (never waits).</summary>
    public BucketEntry Enter(in BucketKey key, in BucketArrival arrival)
    {
        while (true)
        {
            BucketQueue queue = GetOrCreate(key, arrival.Request.Limits, arrival.Settings);
            if (queue.TryEnter(arrival, out BucketEntry entry))
            {
                return entry;
            }
        }
    }

    /// <summary>Asynchronous entry (waits when <see cref="BucketArrival.CanWait"/> and admission control allows).</summary>
    public ValueTask<BucketEntry> EnterAsync(BucketKey key, BucketArrival arrival, CancellationToken cancellationToken)
    {
        BucketQueue queue = GetOrCreate(key, arrival.Request.Limits, arrival.Settings);
        ValueTask<BucketEntry?> entering = queue.EnterAsync(arrival, cancellationToken);
        if (entering.IsCompletedSuccessfully && entering.Result is BucketEntry entry)
        {
            return new ValueTask<BucketEntry>(entry);
        }

        return Slow(this, key, arrival, entering, cancellationToken);

        static async ValueTask<BucketEntry> Slow(BucketScheduler self, BucketKey key, BucketArrival arrival, ValueTask<BucketEntry?> entering, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (await entering.ConfigureAwait(false) is BucketEntry entry)
                {
                    return entry;
                }

                entering = self.GetOrCreate(key, arrival.Request.Limits, arrival.Settings).EnterAsync(arrival, cancellationToken);
            }
        }
    }

    /// <summary>Ends every wait (the gate is being disposed): waiters get an <see cref="ObjectDisposedException"/>.</summary>
    public void Shutdown(string owner)
    {
        foreach (BucketQueue queue in _queues.Values)
        {
            queue.Shutdown(new ObjectDisposedException(owner, "The quota gate was disposed while the call waited in its queue."));
            Retire(queue);
        }
    }

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void CountWaiter(int delta) => Interlocked.Add(ref _waiting, delta);

    public void Retire(BucketQueue queue)
    {
        if (_queues.TryRemove(new KeyValuePair<BucketKey, BucketQueue>(queue.Key, queue)))
        {
            Interlocked.Decrement(ref _queueCount);
        }
    }

    public void ReportGiveBackFailure(in BucketKey key, double cost, Exception exception) =>
        Log.QueueRefundFailed(_logger, exception, key.ToString(), cost);
}
