using System.Collections.Concurrent;

namespace AgentQuotas.Stores;

/// <summary>
/// The default store: token buckets and spend ledger in this process's memory. Each bucket is
/// updated under its own fine-grained lock, so tenants never contend with each other; buckets unused
/// and full for <see cref="InMemoryQuotaStoreOptions.IdleTimeout"/> are evicted.
/// </summary>
/// <remarks>
/// Bucket arithmetic is exact (integer ticks of refill time, costs rounded up), so concurrent callers
/// never take more than capacity + burst credits + refill x elapsed (+ the emergency allowance for
/// classes that may borrow).
/// </remarks>
public sealed class InMemoryQuotaStore : IQuotaStore, IDisposable
{
    private static readonly Func<BucketKey, (BucketLimits Limits, long Now), TokenBucketState> CreateBucket =
        static (_, arg) => new TokenBucketState(arg.Limits, arg.Now);

    private readonly ConcurrentDictionary<BucketKey, TokenBucketState> _buckets = new();
    private readonly ConcurrentDictionary<string, SpendLedgerCell> _spend = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _idleTicks;
    private readonly ITimer? _evictionTimer;
    private readonly long _timestampDivisor;
    private readonly double _timestampScale;

    /// <summary>Creates a store.</summary>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InMemoryQuotaStore(InMemoryQuotaStoreOptions? options = null)
    {
        options ??= new InMemoryQuotaStoreOptions();
        options.Validate();
        _time = options.TimeProvider;
        _idleTicks = options.IdleTimeout.Ticks;

        // Convert the provider's monotonic timestamps to 100 ns ticks, exactly when the frequency allows.
        long frequency = _time.TimestampFrequency;
        if (frequency % TimeSpan.TicksPerSecond == 0)
        {
            _timestampDivisor = frequency / TimeSpan.TicksPerSecond;
        }
        else
        {
            _timestampScale = (double)TimeSpan.TicksPerSecond / frequency;
        }

        if (options.EvictionInterval != Timeout.InfiniteTimeSpan)
        {
            _evictionTimer = _time.CreateTimer(static s => ((InMemoryQuotaStore)s!).EvictIdle(), this, options.EvictionInterval, options.EvictionInterval);
        }
    }

    /// <summary>Number of buckets held now.</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>Raised after a sweep that evicted buckets, with the number evicted.</summary>
    public event Action<int>? Evicted;

    /// <inheritdoc/>
    public QuotaStoreResult TryAcquire(in QuotaStoreRequest request)
    {
        BucketLimits limits = request.Limits;
        bool emergency = request.AllowEmergency && limits.DebtTicks > 0;
        if (request.Cost > limits.MaxAdmissibleCost(emergency))
        {
            return new QuotaStoreResult(QuotaStoreOutcome.CostExceedsCapacity, Peek(request.Key, limits).Available);
        }

        SpendLedgerCell? ledger = null;
        int reservedDay = 0;
        DateTimeOffset utcNow = default;
        if (request.HasSpendCeiling)
        {
            utcNow = _time.GetUtcNow();
            QuotaStoreOutcome spend;
            TimeSpan? spendRetry;
            while (true)
            {
                ledger = _spend.GetOrAdd(request.Key.Tenant, static _ => new SpendLedgerCell());
                lock (ledger)
                {
                    if (ledger.Evicted)
                    {
                        continue;
                    }

                    spend = ledger.TryReserve(request.Cost, request.MaxCostPerDay, request.MaxCostPerMonth, utcNow, out spendRetry, out reservedDay);
                    break;
                }
            }

            if (spend != QuotaStoreOutcome.Admitted)
            {
                return new QuotaStoreResult(spend, Peek(request.Key, limits).Available, spendRetry);
            }
        }

        long now = NowTicks();
        long cost = limits.ToTicks(request.Cost);
        QuotaStoreResult result;
        while (true)
        {
            TokenBucketState bucket = _buckets.GetOrAdd(request.Key, CreateBucket, (limits, now));
            lock (bucket)
            {
                if (bucket.Evicted)
                {
                    continue; // lost a race with eviction: the key now maps to a fresh bucket
                }

                result = bucket.TryTake(limits, now, cost, emergency);
                break;
            }
        }

        if (!result.IsAdmitted && ledger is not null)
        {
            lock (ledger)
            {
                ledger.Release(request.Cost, reservedDay, _time.GetUtcNow());
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public void Settle(in BucketKey key, BucketLimits limits, double delta)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (!double.IsFinite(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The correction must be a finite number.");
        }

        if (delta == 0)
        {
            return;
        }

        long now = NowTicks();
        while (true)
        {
            TokenBucketState bucket = _buckets.GetOrAdd(key, CreateBucket, (limits, now));
            lock (bucket)
            {
                if (bucket.Evicted)
                {
                    continue;
                }

                bucket.Settle(limits, now, delta);
                break;
            }
        }

        if (_spend.TryGetValue(key.Tenant, out SpendLedgerCell? ledger))
        {
            lock (ledger)
            {
                ledger.Adjust(delta, _time.GetUtcNow());
            }
        }
    }

    /// <inheritdoc/>
    public BucketSnapshot Peek(in BucketKey key, BucketLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (!_buckets.TryGetValue(key, out TokenBucketState? bucket))
        {
            return new BucketSnapshot(limits.Capacity + limits.BurstCredits, limits.Capacity, limits.BurstCredits);
        }

        long now = NowTicks();
        lock (bucket)
        {
            return bucket.Peek(limits, now);
        }
    }

    /// <inheritdoc/>
    public SpendSnapshot GetSpend(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!_spend.TryGetValue(tenant, out SpendLedgerCell? ledger))
        {
            return default;
        }

        lock (ledger)
        {
            return ledger.Read(_time.GetUtcNow());
        }
    }

    /// <summary>
    /// Evicts every bucket that is full and has been idle for the idle timeout, and ledger cells of
    /// past months. Runs on a timer unless turned off; safe to call at any time.
    /// </summary>
    /// <returns>How many buckets were evicted.</returns>
    public int EvictIdle()
    {
        long now = NowTicks();
        int evicted = 0;
        foreach (KeyValuePair<BucketKey, TokenBucketState> entry in _buckets)
        {
            TokenBucketState bucket = entry.Value;
            lock (bucket)
            {
                if (bucket.Evicted || !bucket.IsIdleAndFull(now, _idleTicks))
                {
                    continue;
                }

                // Mark first, then remove: a caller that already holds this instance sees Evicted under
                // the lock and retries on a fresh bucket, which is equivalent because this one is full.
                bucket.Evicted = true;
                _buckets.TryRemove(entry);
                evicted++;
            }
        }

        DateTimeOffset utcNow = _time.GetUtcNow();
        foreach (KeyValuePair<string, SpendLedgerCell> entry in _spend)
        {
            lock (entry.Value)
            {
                if (!entry.Value.Evicted && entry.Value.IsStale(utcNow))
                {
                    entry.Value.Evicted = true;
                    _spend.TryRemove(entry);
                }
            }
        }

        if (evicted > 0)
        {
            Evicted?.Invoke(evicted);
        }

        return evicted;
    }

    /// <summary>Stops the eviction timer.</summary>
    public void Dispose() => _evictionTimer?.Dispose();

    private long NowTicks()
    {
        long timestamp = _time.GetTimestamp();
        return _timestampDivisor != 0 ? timestamp / _timestampDivisor : (long)(timestamp * _timestampScale);
    }
}
