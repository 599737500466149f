namespace AgentQuotas.Stores;

/// <summary>
/// One bucket's state, kept in time units: the bucket level at instant <c>now</c> is
/// <c>CapacityTicks - (Tat - now)</c> (Tat is the "theoretical arrival time" of the generic cell-rate
/// algorithm), so refill needs no bookkeeping and integer arithmetic is exact.
/// </summary>
/// <remarks>
/// <para>
/// Concurrency. <c>_tat</c> is the only word the lock-free path changes, always by compare-and-swap, so
/// every admission is a single atomic step on it and concurrent callers can never take the same units
/// twice. Banked burst credits (<c>_credits</c>) change only under the object's monitor, together with a
/// compare-and-swap of <c>_tat</c>; the lock-free path never decides from them (it admits from the level
/// alone), so it needs no lock. The shape (<see cref="Limits"/>) never changes: a policy reload that
/// reshapes a bucket retires this object and carries its level and credits over into a new one, so a
/// caller that computed with the old shape can never apply its result to the new one (its CAS on a
/// retired object always fails).
/// </para>
/// <para>
/// Retired (evicted, or replaced by a reshaped bucket) is the sentinel value <see cref="RetiredTat"/> in
/// <c>_tat</c>, set by compare-and-swap under the monitor: a charge racing an eviction either lands
/// before it (and the bucket is then no longer idle, so it stays) or fails and retries on the store's
/// current bucket.
/// </para>
/// </remarks>
internal sealed class TokenBucketState
{
    /// <summary>The value of <c>_tat</c> once the bucket has left its store.</summary>
    private const long RetiredTat = long.MaxValue;

    private long _tat;
    private long _credits;

    public TokenBucketState(string category, BucketLimits limits, long now)
        : this(category, limits, now, limits.BurstTicks)
    {
    }

    private TokenBucketState(string category, BucketLimits limits, long tat, long credits)
    {
        Category = category;
        Limits = limits;
        _tat = tat;
        _credits = credits;
    }

    /// <summary>The bucket's category (a run remembers its tenant's buckets by category).</summary>
    public string Category { get; }

    /// <summary>The shape the state is computed in; fixed for the object's life.</summary>
    public BucketLimits Limits { get; }

    /// <summary>Whether the bucket has left its store (evicted or reshaped); it then accepts nothing.</summary>
    public bool IsRetired => Volatile.Read(ref _tat) == RetiredTat;

    /// <summary>
    /// Takes <paramref name="cost"/> ticks from the level without a lock, when the level alone covers it
    /// and no burst credits need banking. Otherwise says what the caller must do instead.
    /// </summary>
    public FastTake TryTakeFast(long now, long cost, out QuotaStoreResult result)
    {
        BucketLimits limits = Limits;
        while (true)
        {
            long tat = Volatile.Read(ref _tat);
            if (tat == RetiredTat)
            {
                result = default;
                return FastTake.Retired;
            }

            long start = tat;
            if (tat < now)
            {
                // Full since tat. Overflow is banked as credits under the monitor; without a burst allowance
                // there is nothing to bank and the level is simply full at now.
                if (limits.BurstTicks != 0)
                {
                    result = default;
                    return FastTake.NeedsLock;
                }

                start = now;
            }

            long level = limits.CapacityTicks - (start - now);
            if (level < cost)
            {
                result = default;
                return FastTake.NeedsLock; // credits, emergency debt or a refusal: decided under the monitor
            }

            if (Interlocked.CompareExchange(ref _tat, start + cost, tat) == tat)
            {
                // Credits are read without the monitor: the remaining figure is a report, not a decision.
                result = new QuotaStoreResult(QuotaStoreOutcome.Admitted, limits.ToUnits(level - cost + Volatile.Read(ref _credits)));
                return FastTake.Admitted;
            }
        }
    }

    /// <summary>Decides a request, banking credits first. The caller holds the monitor and has checked <see cref="IsRetired"/>.</summary>
    public QuotaStoreResult TryTake(long now, long cost, bool emergency)
    {
        BucketLimits limits = Limits;
        long capacity = limits.CapacityTicks;
        while (true)
        {
            long observed = Volatile.Read(ref _tat);
            (long tat, long credits) = Refilled(observed, _credits, now);
            long level = capacity - (tat - now);
            long total = level + credits;
            QuotaStoreResult result;
            long newTat, newCredits = credits;
            if (level >= cost)
            {
                newTat = tat + cost;
                result = new QuotaStoreResult(QuotaStoreOutcome.Admitted, limits.ToUnits(total - cost));
            }
            else if (total >= cost)
            {
                // Empty the bucket and draw the shortfall from banked burst credits.
                newCredits = total - cost;
                newTat = now + capacity;
                result = new QuotaStoreResult(QuotaStoreOutcome.Admitted, limits.ToUnits(newCredits), usedBurst: true);
            }
            else if (emergency && total + limits.DebtTicks >= cost)
            {
                long newLevel = total - cost; // negative: borrowed against future refill
                bool drewCredits = credits > 0;
                newCredits = 0;
                newTat = now + capacity - newLevel;
                result = new QuotaStoreResult(QuotaStoreOutcome.Admitted, limits.ToUnits(newLevel), usedBurst: drewCredits, usedEmergency: true);
            }
            else
            {
                // Until the bucket is full, refill raises level + credits by one tick per tick; after that,
                // overflow banks credits at the same pace, so the wait is exactly the shortfall. Banking is a
                // function of time alone, so a refusal need not publish it.
                long missing = cost - total - (emergency ? limits.DebtTicks : 0);
                return new QuotaStoreResult(QuotaStoreOutcome.BucketExhausted, limits.ToUnits(total), TimeSpan.FromTicks(missing));
            }

            if (Publish(observed, newTat, newCredits))
            {
                return result;
            }
        }
    }

    /// <summary>Charges (positive, saturating at the deepest debt) or refunds (negative) units after the fact. The caller holds the monitor.</summary>
    public void Settle(long now, double delta)
    {
        BucketLimits limits = Limits;
        while (true)
        {
            long observed = Volatile.Read(ref _tat);
            (long tat, long credits) = Refilled(observed, _credits, now);
            if (delta > 0)
            {
                // Charge more; may go into debt, at most BucketLimits.MaxRefillSeconds of refill deep (a larger
                // charge saturates there instead of wrapping). tat never exceeds that bound, so the sum cannot overflow.
                tat = Math.Min(tat + limits.ToChargeTicks(delta), now + limits.CapacityTicks + BucketLimits.MaxDebtTicks);
            }
            else
            {
                long refund = limits.ToRefundTicks(-delta);
                long level = limits.CapacityTicks - (tat - now);
                long toLevel = Math.Min(refund, Math.Max(0, limits.CapacityTicks - level));
                tat -= toLevel;
                credits = Math.Min(limits.BurstTicks, credits + (refund - toLevel));
            }

            if (Publish(observed, tat, credits))
            {
                return;
            }
        }
    }

    /// <summary>The bucket as seen in <paramref name="limits"/>' shape. The caller holds the monitor.</summary>
    public BucketSnapshot Peek(BucketLimits limits, long now)
    {
        BucketLimits own = Limits;
        long tat = Volatile.Read(ref _tat);
        long credits = _credits;
        long level = own.CapacityTicks - Math.Max(0, tat - now);
        if (tat < now)
        {
            credits += Math.Min(own.BurstTicks - credits, now - tat);
        }

        double levelUnits = own.ToUnits(level);
        double creditUnits = own.ToUnits(credits);
        if (!ReferenceEquals(own, limits))
        {
            levelUnits = Math.Min(levelUnits, limits.Capacity);
            creditUnits = Math.Min(creditUnits, limits.BurstCredits);
        }

        return new BucketSnapshot(levelUnits + creditUnits, levelUnits, creditUnits);
    }

    /// <summary>
    /// Retires the bucket when it is full (credits included) and has been untouched for
    /// <paramref name="idleTicks"/>. The caller holds the monitor.
    /// </summary>
    /// <returns>Whether it was retired; a charge that lands first keeps it.</returns>
    public bool TryRetireIfIdle(long now, long idleTicks)
    {
        long tat = Volatile.Read(ref _tat);
        if (tat == RetiredTat)
        {
            return false;
        }

        long sinceFull = now - tat;
        bool idleAndFull = sinceFull >= idleTicks && _credits + sinceFull >= Limits.BurstTicks;
        return idleAndFull && Interlocked.CompareExchange(ref _tat, RetiredTat, tat) == tat;
    }

    /// <summary>
    /// A policy reload changed the bucket's shape: retires this object and returns its successor in
    /// <paramref name="limits"/>' shape, with the level and credits carried over in units (clipped to the
    /// new shape). The caller holds the monitor, has checked <see cref="IsRetired"/>, and maps the key to
    /// the successor.
    /// </summary>
    public TokenBucketState Reshape(BucketLimits limits, long now)
    {
        BucketLimits own = Limits;
        while (true)
        {
            long observed = Volatile.Read(ref _tat);
            (long tat, long credits) = Refilled(observed, _credits, now);
            double level = own.ToUnits(own.CapacityTicks - (tat - now));
            double creditUnits = own.ToUnits(credits);
            long newLevel = (long)Math.Floor(Math.Min(level, limits.Capacity) * limits.TicksPerUnit);
            long newCredits = (long)Math.Floor(Math.Min(creditUnits, limits.BurstCredits) * limits.TicksPerUnit);
            if (Interlocked.CompareExchange(ref _tat, RetiredTat, observed) == observed)
            {
                return new TokenBucketState(Category, limits, now + limits.CapacityTicks - newLevel, newCredits);
            }
        }
    }

    // While tat < now the bucket has been full since tat; what overflowed since then is banked as burst credits.
    private (long Tat, long Credits) Refilled(long tat, long credits, long now) =>
        tat < now ? (now, credits + Math.Min(Limits.BurstTicks - credits, now - tat)) : (tat, credits);

    // Under the monitor: publishes a new state unless the lock-free path moved tat meanwhile.
    private bool Publish(long observed, long tat, long credits)
    {
        if (Interlocked.CompareExchange(ref _tat, tat, observed) != observed)
        {
            return false;
        }

        _credits = credits;
        return true;
    }
}
