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
        static (key, arg) => new TokenBucketState(key.Category, arg.Limits, arg.Now);

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
        TokenBucketState? handle = null;
        return Acquire(request.Key, request.Limits, request.Cost, request.AllowEmergency, request.MaxCostPerDay, request.MaxCostPerMonth, ref handle, now: -1);
    }

    /// <inheritdoc/>
    QuotaStoreResult IQuotaStore.TryAcquireAt(in QuotaStoreRequest request, TimeProvider clock, long timestamp, BucketHints? hints) =>
        AcquireAt(request, clock, timestamp, hints);

    /// <inheritdoc/>
    ValueTask<QuotaStoreResult> IQuotaStore.TryAcquireAtAsync(in QuotaStoreRequest request, TimeProvider clock, long timestamp, BucketHints? hints, CancellationToken cancellationToken) =>
        new(AcquireAt(request, clock, timestamp, hints));

    // The gate's fast path: its timestamp when it runs on this store's clock (one clock read per decision), and
    // the bucket the caller's hints (a run's, or outside a run its identity's) or, without hints, this thread used
    // last for the key: saves the dictionary lookup; a stale one is detected.
    private QuotaStoreResult AcquireAt(in QuotaStoreRequest request, TimeProvider clock, long timestamp, BucketHints? hints)
    {
        long now = ReferenceEquals(clock, _time) ? ToTicks(timestamp) : -1;
        if (hints is null)
        {
            return AcquireOnThreadHint(request, now);
        }

        object? owner = hints.Owner ?? Interlocked.CompareExchange(ref hints.Owner, this, null) ?? this;
        TokenBucketState? bucket = null;
        bool mine = ReferenceEquals(owner, this) && (ReferenceEquals(hints.Tenant, request.Key.Tenant) || string.Equals(hints.Tenant, request.Key.Tenant, StringComparison.Ordinal));
        if (mine)
        {
            bucket = Hinted(hints.Last, request.Key.Category) ?? Hinted(hints.Previous, request.Key.Category);
        }

        TokenBucketState? used = bucket;
        QuotaStoreResult taken = Acquire(request.Key, request.Limits, request.Cost, request.AllowEmergency, request.MaxCostPerDay, request.MaxCostPerMonth, ref bucket, now);
        if (mine && bucket is not null && !ReferenceEquals(bucket, used) && !ReferenceEquals(hints.Last, bucket))
        {
            hints.Previous = hints.Last;
            hints.Last = bucket;
        }

        return taken;
    }

    private static TokenBucketState? Hinted(object? hint, string category) =>
        hint is TokenBucketState bucket && (ReferenceEquals(bucket.Category, category) || string.Equals(bucket.Category, category, StringComparison.Ordinal)) ? bucket : null;

    private QuotaStoreResult AcquireOnThreadHint(in QuotaStoreRequest request, long now)
    {
        RecentBuckets recent = RecentBuckets.ForThread();
        TokenBucketState? bucket = recent.Find(this, request.Key);
        QuotaStoreResult taken = Acquire(request.Key, request.Limits, request.Cost, request.AllowEmergency, request.MaxCostPerDay, request.MaxCostPerMonth,
            ref bucket, now);
        if (bucket is not null)
        {
            recent.Remember(this, request.Key.Tenant, bucket);
        }

        return taken;
    }

    /// <summary>
    /// <see cref="TryAcquire"/> for callers that have validated the request, read the clock
    /// (<see cref="NowTicks"/>; -1 to let the store read it) and may hold the bucket from an earlier call
    /// (<paramref name="handle"/>; updated to the bucket used). A stale handle (evicted, reshaped) is
    /// detected and replaced, so it only ever saves the dictionary lookup.
    /// </summary>
    internal QuotaStoreResult Acquire(in BucketKey key, BucketLimits limits, double cost, bool allowEmergency, double? maxCostPerDay, double? maxCostPerMonth,
        ref TokenBucketState? handle, long now)
    {
        bool emergency = allowEmergency && limits.DebtTicks > 0;
        if (cost > limits.MaxAdmissibleCost(emergency))
        {
            return new QuotaStoreResult(QuotaStoreOutcome.CostExceedsCapacity, Peek(key, limits).Available);
        }

        SpendLedgerCell? ledger = null;
        int reservedDay = 0;
        if (maxCostPerDay.HasValue || maxCostPerMonth.HasValue)
        {
            DateTimeOffset utcNow = _time.GetUtcNow();
            QuotaStoreOutcome spend;
            TimeSpan? spendRetry;
            while (true)
            {
                ledger = _spend.GetOrAdd(key.Tenant, static _ => new SpendLedgerCell());
                lock (ledger)
                {
                    if (ledger.Evicted)
                    {
                        continue;
                    }

                    spend = ledger.TryReserve(cost, maxCostPerDay, maxCostPerMonth, utcNow, out spendRetry, out reservedDay);
                    break;
                }
            }

            if (spend != QuotaStoreOutcome.Admitted)
            {
                return new QuotaStoreResult(spend, Peek(key, limits).Available, spendRetry);
            }
        }

        if (now < 0)
        {
            now = NowTicks();
        }

        QuotaStoreResult result = Take(ref handle, key, limits, now, limits.ToTicks(cost), emergency);
        if (!result.IsAdmitted && ledger is not null)
        {
            lock (ledger)
            {
                ledger.Release(cost, reservedDay, _time.GetUtcNow());
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
        TokenBucketState? bucket = null;
        while (true)
        {
            bucket ??= _buckets.GetOrAdd(key, CreateBucket, (limits, now));
            if (!ReferenceEquals(bucket.Limits, limits))
            {
                bucket = Reshaped(key, bucket, limits, now);
                continue;
            }

            if (SettleOn(bucket, now, delta))
            {
                break;
            }

            bucket = null; // retired meanwhile
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
        long now = NowTicks();
        while (_buckets.TryGetValue(key, out TokenBucketState? bucket))
        {
            lock (bucket)
            {
                if (!bucket.IsRetired)
                {
                    return bucket.Peek(limits, now);
                }
            }
        }

        return new BucketSnapshot(limits.Capacity + limits.BurstCredits, limits.Capacity, limits.BurstCredits);
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
                // Retire first, then remove: a caller that already holds this instance sees it retired and
                // retries on a fresh bucket, which is equivalent because this one is full. A charge that
                // lands first makes the bucket busy, and it stays.
                if (bucket.TryRetireIfIdle(now, _idleTicks))
                {
                    _buckets.TryRemove(entry);
                    evicted++;
                }
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

    /// <summary>The clock the buckets run on.</summary>
    internal TimeProvider TimeProvider => _time;

    /// <summary>Now on the buckets' clock, in 100 ns ticks of the provider's monotonic timestamp.</summary>
    internal long NowTicks() => ToTicks(_time.GetTimestamp());

    /// <summary>Converts a timestamp of the store's provider to the buckets' 100 ns ticks.</summary>
    internal long ToTicks(long timestamp) =>
        _timestampDivisor != 0 ? timestamp / _timestampDivisor : (long)(timestamp * _timestampScale);

    // The bucket of key, reshaped to limits, and the request decided on it: lock-free when the level
    // covers the cost, under the bucket's monitor otherwise.
    private QuotaStoreResult Take(ref TokenBucketState? handle, in BucketKey key, BucketLimits limits, long now, long cost, bool emergency)
    {
        TokenBucketState? bucket = handle;
        while (true)
        {
            bucket ??= _buckets.GetOrAdd(key, CreateBucket, (limits, now));
            if (!ReferenceEquals(bucket.Limits, limits))
            {
                bucket = Reshaped(key, bucket, limits, now);
                continue;
            }

            QuotaStoreResult result;
            if (bucket.TryTakeFast(now, cost, out result) == FastTake.Admitted)
            {
                handle = bucket;
                return result;
            }

            // Needs the monitor, or retired: taking the monitor also waits for a retirement in progress
            // (it maps the key to the successor before letting go).
            if (TakeLocked(bucket, now, cost, emergency, out result))
            {
                handle = bucket;
                return result;
            }

            bucket = null;
        }
    }

    private static bool TakeLocked(TokenBucketState bucket, long now, long cost, bool emergency, out QuotaStoreResult result)
    {
        lock (bucket)
        {
            if (bucket.IsRetired)
            {
                result = default;
                return false;
            }

            result = bucket.TryTake(now, cost, emergency);
            return true;
        }
    }

    private static bool SettleOn(TokenBucketState bucket, long now, double delta)
    {
        lock (bucket)
        {
            if (bucket.IsRetired)
            {
                return false;
            }

            bucket.Settle(now, delta);
            return true;
        }
    }

    // A policy reload changed the bucket's shape: its successor takes over the key. Null when the bucket
    // was retired meanwhile (the caller looks the key up again).
    private TokenBucketState? Reshaped(in BucketKey key, TokenBucketState bucket, BucketLimits limits, long now)
    {
        lock (bucket)
        {
            if (bucket.IsRetired)
            {
                return null;
            }

            // Only a holder of this monitor retires the bucket and remaps the key, so the key still maps to it.
            TokenBucketState successor = bucket.Reshape(limits, now);
            _buckets[key] = successor;
            return successor;
        }
    }
}
