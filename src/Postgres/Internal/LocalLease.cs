namespace AgentQuotas.Postgres.Internal;

/// <summary>
/// Units this host took from one shared bucket (and charged to the tenant's ledger) and has not used
/// yet. Local admissions take from it under its monitor; <see cref="Refresh"/> admits one caller at a
/// time to the server to return the rest and take a new slice. It also remembers how full the shared
/// bucket was at the last round trip, so a request that could not be served even if every unit refilled
/// since then were still there is refused locally, without a round trip (never admitted locally: a
/// refusal from a stale view only errs on the safe side). Times are local 100 ns ticks.
/// </summary>
internal sealed class LocalLease
{
    public SemaphoreSlim Refresh { get; } = new(1, 1);

    // Guarded by this object's monitor.
    private BucketShape? _shape;
    private long _ticks;
    private decimal _units;
    private long _expiresAt;
    private double _bucketRemaining;
    private BucketShape? _knownShape;
    private long _knownTicks;
    private long _knownAt;

    /// <summary>Set (holding <see cref="Refresh"/>) once the lease was removed from its table; callers then start over.</summary>
    public bool Retired { get; set; }

    public bool TryTake(BucketShape shape, long costTicks, decimal cost, long now, out double remaining)
    {
        lock (this)
        {
            if (_shape is not null && _shape.SameShape(shape) && now < _expiresAt && _ticks >= costTicks && _units >= cost)
            {
                _ticks -= costTicks;
                _units -= cost;
                remaining = _bucketRemaining + shape.ToUnits(_ticks);
                return true;
            }

            remaining = double.NaN;
            return false;
        }
    }

    /// <summary>Applies a correction locally when the lease is live and can absorb it (a charge it covers, a refund that keeps it within one slice).</summary>
    public bool TryAdjust(BucketShape shape, long deltaTicks, decimal deltaUnits, long maxTicks, long now)
    {
        lock (this)
        {
            if (_shape is null || !_shape.SameShape(shape) || now >= _expiresAt)
            {
                return false;
            }

            long ticks = _ticks - deltaTicks;
            decimal units = _units - deltaUnits;
            if (ticks < 0 || units < 0 || ticks > maxTicks)
            {
                return false;
            }

            _ticks = ticks;
            _units = units;
            return true;
        }
    }

    /// <summary>Records the shared bucket's level and credits (in ticks) as the server reported them at <paramref name="now"/>.</summary>
    public void Observe(BucketShape shape, long bucketTicks, long now)
    {
        lock (this)
        {
            _knownShape = shape;
            _knownTicks = bucketTicks;
            _knownAt = now;
        }
    }

    /// <summary>
    /// Whether the request cannot fit even if the shared bucket still held everything it had at the last
    /// round trip plus refill since then, together with this lease; <paramref name="waitTicks"/> is then the
    /// least time until it could.
    /// </summary>
    public bool TryRefuse(BucketShape shape, long costTicks, long now, out long waitTicks, out double available)
    {
        lock (this)
        {
            waitTicks = 0;
            available = double.NaN;
            if (_knownShape is null || !_knownShape.SameShape(shape))
            {
                return false;
            }

            long leased = _shape is not null && _shape.SameShape(shape) && now < _expiresAt ? _ticks : 0;
            long estimate = _knownTicks + Math.Max(0, now - _knownAt) + leased;
            if (estimate >= costTicks)
            {
                return false;
            }

            waitTicks = costTicks - estimate;
            available = shape.ToUnits(estimate);
            return true;
        }
    }

    /// <summary>Takes everything out of the lease (to return it to the server).</summary>
    public Snapshot Drain()
    {
        lock (this)
        {
            var taken = new Snapshot(_shape, _ticks, _units, _expiresAt, _bucketRemaining);
            _shape = null;
            _ticks = 0;
            _units = 0;
            return taken;
        }
    }

    /// <summary>Puts back what <see cref="Drain"/> took when it could not be returned.</summary>
    public void Restore(in Snapshot snapshot) => Fill(snapshot.Shape, snapshot.Ticks, snapshot.Units, snapshot.ExpiresAt, snapshot.BucketRemaining);

    public void Fill(BucketShape? shape, long ticks, decimal units, long expiresAt, double bucketRemaining)
    {
        lock (this)
        {
            _shape = ticks > 0 || units > 0 ? shape : null;
            _ticks = ticks;
            _units = units;
            _expiresAt = expiresAt;
            _bucketRemaining = bucketRemaining;
        }
    }

    public bool IsExpiredOrEmpty(long now)
    {
        lock (this)
        {
            return _shape is null || now >= _expiresAt;
        }
    }

    /// <summary>What a lease held at one moment.</summary>
    public readonly record struct Snapshot(BucketShape? Shape, long Ticks, decimal Units, long ExpiresAt, double BucketRemaining)
    {
        public bool IsEmpty => Shape is null || (Ticks == 0 && Units == 0);
    }
}
