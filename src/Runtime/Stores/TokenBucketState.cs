namespace AgentQuotas.Stores;

/// <summary>
/// One bucket's state, kept in time units: the bucket level at instant <c>now</c> is
/// <c>CapacityTicks - (Tat - now)</c> (Tat is the "theoretical arrival time" of the generic cell-rate
/// algorithm), so refill needs no bookkeeping and integer arithmetic is exact. Callers hold the
/// object's monitor while using it.
/// </summary>
internal sealed class TokenBucketState
{
    private long _tat;
    private long _credits;
    private BucketLimits _limits;

    public TokenBucketState(BucketLimits limits, long now)
    {
        _limits = limits;
        _tat = now;
        _credits = limits.BurstTicks;
    }

    /// <summary>Set, under the monitor, once the bucket has been removed from its store.</summary>
    public bool Evicted { get; set; }

    public QuotaStoreResult TryTake(BucketLimits limits, long now, long cost, bool emergency)
    {
        Refill(limits, now);
        long capacity = limits.CapacityTicks;
        long level = capacity - (_tat - now);
        long total = level + _credits;
        if (level >= cost)
        {
            _tat += cost;
            return new QuotaStoreResult(QuotaStoreOutcome.Admitted, limits.ToUnits(total - cost));
        }

        if (total >= cost)
        {
            // Empty the bucket and draw the shortfall from banked burst credits.
            _credits = total - cost;
            _tat = now + capacity;
            return new QuotaStoreResult(QuotaStoreOutcome.Admitted, limits.ToUnits(_credits), usedBurst: true);
        }

        long debt = emergency ? limits.DebtTicks : 0;
        if (emergency && total + debt >= cost)
        {
            long newLevel = total - cost; // negative: borrowed against future refill
            bool drewCredits = _credits > 0;
            _credits = 0;
            _tat = now + capacity - newLevel;
            return new QuotaStoreResult(QuotaStoreOutcome.Admitted, limits.ToUnits(newLevel), usedBurst: drewCredits, usedEmergency: true);
        }

        // Until the bucket is full, refill raises level + credits by one tick per tick; after that,
        // overflow banks credits at the same pace, so the wait is exactly the shortfall.
        long missing = cost - total - debt;
        return new QuotaStoreResult(QuotaStoreOutcome.BucketExhausted, limits.ToUnits(total), TimeSpan.FromTicks(missing));
    }

    public void Settle(BucketLimits limits, long now, double delta)
    {
        Refill(limits, now);
        if (delta > 0)
        {
            _tat += limits.ToTicks(delta); // charge more; may go into debt
            return;
        }

        long refund = (long)Math.Floor(-delta * limits.TicksPerUnit);
        long level = limits.CapacityTicks - (_tat - now);
        long toLevel = Math.Min(refund, Math.Max(0, limits.CapacityTicks - level));
        _tat -= toLevel;
        _credits = Math.Min(limits.BurstTicks, _credits + (refund - toLevel));
    }

    public BucketSnapshot Peek(BucketLimits limits, long now)
    {
        BucketLimits own = _limits;
        long level = own.CapacityTicks - Math.Max(0, _tat - now);
        long credits = _tat < now ? _credits + Math.Min(own.BurstTicks - _credits, now - _tat) : _credits;
        double levelUnits = own.ToUnits(level);
        double creditUnits = own.ToUnits(credits);
        if (!ReferenceEquals(own, limits))
        {
            levelUnits = Math.Min(levelUnits, limits.Capacity);
            creditUnits = Math.Min(creditUnits, limits.BurstCredits);
        }

        return new BucketSnapshot(levelUnits + creditUnits, levelUnits, creditUnits);
    }

    /// <summary>Whether the bucket is full (credits included) and has been untouched for <paramref name="idleTicks"/>.</summary>
    public bool IsIdleAndFull(long now, long idleTicks)
    {
        long sinceFull = now - _tat;
        return sinceFull >= idleTicks && _credits + sinceFull >= _limits.BurstTicks;
    }

    private void Refill(BucketLimits limits, long now)
    {
        if (_tat < now)
        {
            // The bucket has been full since _tat; what overflowed since then is banked as burst credits.
            _credits += Math.Min(_limits.BurstTicks - _credits, now - _tat);
            _tat = now;
        }

        if (!ReferenceEquals(_limits, limits))
        {
            Rescale(limits, now);
        }
    }

    // A policy reload changed the bucket's shape: carry the level and credits over in units.
    private void Rescale(BucketLimits limits, long now)
    {
        double level = _limits.ToUnits(_limits.CapacityTicks - (_tat - now));
        double credits = _limits.ToUnits(_credits);
        long newLevel = (long)Math.Floor(Math.Min(level, limits.Capacity) * limits.TicksPerUnit);
        _credits = (long)Math.Floor(Math.Min(credits, limits.BurstCredits) * limits.TicksPerUnit);
        _tat = now + limits.CapacityTicks - newLevel;
        _limits = limits;
    }
}
