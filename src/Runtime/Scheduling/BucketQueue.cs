using System.Globalization;
using AgentQuotas.Stores;

namespace AgentQuotas.Scheduling;

/// <summary>
/// The priority queue in front of one token bucket (a tenant's budget for one category), created when the
/// bucket is first contended and retired once it is idle again.
/// </summary>
/// <remarks>
/// <para><b>Queue discipline.</b> Waiters stand in four FIFO lines, one per class. When units can be
/// granted, the pump picks one head: heads of classes that are within their reserved share first, then
/// the most urgent effective class (aging promotes a waiter one class per <c>promoteAfter</c>, never into
/// Critical), then the earliest arrival. The chosen head is served before anyone behind it (no barging),
/// so a large request is never starved by a stream of small ones; a more urgent arrival becomes the new
/// head at once.</para>
/// <para><b>Reserved shares.</b> Each class with a share <c>s</c> owns a reserve: a sub-bucket of capacity
/// <c>s x capacity</c> refilled at <c>s x refillPerSecond</c>. A class whose reserve holds units is
/// "within its share" and is served first; serving it spends its reserve (serving it beyond its share
/// borrows spare units and spends nothing). A grant to one class must leave the units of every other
/// class's reserve in the bucket (emergency classes excepted: they may borrow below empty anyway), so a
/// Critical request finds its reserve waiting for it even after a burst of Batch work.</para>
/// <para>The store stays the only authority on units: the pump takes through <see cref="IQuotaStore"/> and
/// gives back what it cannot use, so queueing never admits a unit the bucket did not hold.</para>
/// </remarks>
internal sealed class BucketQueue
{
    private const double Epsilon = 1e-9;

    private static readonly TimerCallback Tick = static s => ((BucketQueue)s!).OnTimer();
    private static readonly Action<object?, CancellationToken> Cancelled = static (s, token) =>
    {
        var waiter = (QueueWaiter)s!;
        ((BucketQueue)waiter.Owner!).Cancel(waiter, token);
    };

    private readonly BucketScheduler _owner;
    private readonly Lock _lock = new();
    private readonly WaitingLine _line = new();
    private readonly double[] _reserve = new double[WaitingLine.ClassCount];
    private SchedulingSettings _settings;
    private BucketLimits _limits;
    private long _reserveAt;
    private double _observed = double.NaN;
    private long _observedAt;
    private ITimer? _timer;
    private bool _pumping;
    private bool _pumpAgain;
    private bool _retired;
    private QueueWaiter? _inFlight; // the head whose units the pump is taking now (outside the lock)

    public BucketQueue(BucketScheduler owner, BucketKey key, BucketLimits limits, SchedulingSettings settings, long now)
    {
        _owner = owner;
        Key = key;
        _limits = limits;
        _settings = settings;
        _reserveAt = now;
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            _reserve[c] = settings.Shares[c] * limits.Capacity; // a never-contended bucket's reserves are full
        }
    }

    public BucketKey Key { get; }

    /// <summary>Waiters now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _line.Count;
            }
        }
    }

    public bool IsRetired => Volatile.Read(ref _retired);

    /// <summary>Waiters of one class now.</summary>
    public int CountOf(WorkloadClass workloadClass)
    {
        lock (_lock)
        {
            return _line.CountOf(workloadClass);
        }
    }

    /// <summary>Units held in each class's reserve now.</summary>
    public double ReserveOf(WorkloadClass workloadClass)
    {
        lock (_lock)
        {
            Accrue(_owner.Now());
            return _reserve[(int)workloadClass];
        }
    }

    /// <summary>
    /// Synchronous entry: never waits. Served at once when nobody waits ahead (or it would be first in line);
    /// otherwise refused with the estimated wait. Returns <see langword="false"/> when the queue was retired meanwhile.
    /// </summary>
    public bool TryEnter(in BucketArrival a, out BucketEntry entry)
    {
        long now = _owner.Now();
        lock (_lock)
        {
            if (_retired)
            {
                entry = default;
                return false;
            }

            Configure(a, now);
            if (_line.Count != 0 && !OutranksAll(a, now))
            {
                entry = Behind(a, now);
                return true;
            }
        }

        QuotaStoreResult taken = _owner.Store.TryAcquire(a.Request);
        double shortfall = Commit(a, taken, out bool kick);
        if (taken.IsAdmitted && shortfall > 0)
        {
            _owner.Store.Settle(a.Request.Key, a.Request.Limits, -a.Request.Cost);
            entry = Refusal(a, shortfall, (int)a.Class);
        }
        else
        {
            entry = taken.IsAdmitted ? new BucketEntry(BucketEntryKind.Admitted, taken) : new BucketEntry(BucketEntryKind.Refused, taken);
        }

        if (kick)
        {
            Kick();
        }

        return true;
    }

    /// <summary>
    /// Asynchronous entry: takes at once when nobody waits ahead, otherwise (when <see cref="BucketArrival.CanWait"/>)
    /// joins the line subject to admission control. Returns <see langword="null"/> when the queue was retired meanwhile.
    /// </summary>
    public async ValueTask<BucketEntry?> EnterAsync(BucketArrival a, CancellationToken cancellationToken)
    {
        long now = _owner.Now();
        bool direct;
        lock (_lock)
        {
            if (_retired)
            {
                return null;
            }

            Configure(a, now);
            direct = _line.Count == 0 || (!a.CanWait && OutranksAll(a, now));
            if (!direct && !a.CanWait)
            {
                return Behind(a, now);
            }
        }

        QuotaStoreResult taken = default;
        double shortfall = 0;
        if (direct)
        {
            taken = await _owner.Store.TryAcquireAsync(a.Request, cancellationToken).ConfigureAwait(false);
            shortfall = Commit(a, taken, out bool kick);
            if (taken.IsAdmitted && shortfall > 0)
            {
                await _owner.Store.SettleAsync(a.Request.Key, a.Request.Limits, -a.Request.Cost, CancellationToken.None).ConfigureAwait(false);
            }

            if (kick)
            {
                Kick();
            }

            if (taken.IsAdmitted && shortfall <= 0)
            {
                return new BucketEntry(BucketEntryKind.Admitted, taken);
            }

            bool couldWait = taken.IsAdmitted || (taken.Outcome == QuotaStoreOutcome.BucketExhausted && taken.RetryAfter is not null);
            if (!a.CanWait || !couldWait)
            {
                return taken.IsAdmitted ? Refusal(a, shortfall, (int)a.Class) : new BucketEntry(BucketEntryKind.Refused, taken);
            }
        }

        QueueWaiter waiter;
        lock (_lock)
        {
            if (_retired)
            {
                return null;
            }

            now = _owner.Now();
            Accrue(now);
            int k = (int)a.Class;
            if (_line.CountOf(a.Class) >= a.QueueLimit)
            {
                TimeSpan estimate = Estimate(k, a.Request.Cost, a.MayBorrow, now);
                return new BucketEntry(BucketEntryKind.Rejected, taken, QuotaReason.QueueFull, estimate,
                    string.Format(CultureInfo.InvariantCulture, "{0} {1} requests already wait for '{2}' (queueLimit {3}).",
                        _line.CountOf(a.Class), a.Class, Key, a.QueueLimit));
            }

            long maxWait = a.MaxWaitTicks;
            TimeSpan wait = Estimate(k, a.Request.Cost, a.MayBorrow, now);
            if (maxWait != long.MaxValue && wait.Ticks > maxWait)
            {
                return new BucketEntry(BucketEntryKind.Rejected, taken, QuotaReason.QueueTimeout, wait,
                    string.Format(CultureInfo.InvariantCulture, "The estimated wait of {0} for '{1}' exceeds the {2} class's {3} of {4}; refused without queueing.",
                        QuotaMessages.FormatDuration(wait), Key, a.Class, a.WaitsForDraft ? "waitBeforeDraft" : "maxQueueWait", QuotaMessages.FormatDuration(TimeSpan.FromTicks(maxWait))));
            }

            if (a.WaitsForDraft)
            {
                _line.FifoDeadlines = false; // its deadline comes before those of its class's earlier waiters
            }

            waiter = new QueueWaiter(a.Class, a.Request.Cost, a.Tenant, now, maxWait == long.MaxValue ? long.MaxValue : now + maxWait,
                _owner.NextSequence(), _owner.RunContinuationsAsynchronously)
            {
                StoreRequest = a.Request,
                MayBorrow = a.MayBorrow,
                Owner = this,
            };
            _line.Add(waiter);
            _owner.CountWaiter(+1);
        }

        waiter.RegisterCancellation(cancellationToken, Cancelled);
        Kick();
        return new BucketEntry(BucketEntryKind.Waiting, taken, waiter: waiter);
    }

    /// <summary>The estimated wait for a request of <paramref name="workloadClass"/> costing <paramref name="cost"/> arriving now.</summary>
    public TimeSpan EstimateWait(WorkloadClass workloadClass, double cost, bool mayBorrow)
    {
        lock (_lock)
        {
            long now = _owner.Now();
            Accrue(now);
            return Estimate((int)workloadClass, cost, mayBorrow, now);
        }
    }

    /// <summary>Ends every wait with <paramref name="exception"/> and retires the queue (the gate is being disposed).</summary>
    public void Shutdown(Exception exception)
    {
        List<QueueWaiter> waiters;
        lock (_lock)
        {
            _retired = true;
            _timer?.Dispose();
            _timer = null;
            waiters = _line.RemoveAll();
            _owner.CountWaiter(-waiters.Count);
        }

        foreach (QueueWaiter waiter in waiters)
        {
            waiter.TryFail(exception);
        }
    }

    /// <summary>Starts the pump unless it is running (then it looks again before it stops).</summary>
    public void Kick()
    {
        lock (_lock)
        {
            if (_pumping)
            {
                _pumpAgain = true;
                return;
            }

            _pumping = true;
        }

        ValueTask pumping = PumpAsync();
        if (!pumping.IsCompleted)
        {
            _ = ObserveAsync(pumping);
        }
        else
        {
            pumping.GetAwaiter().GetResult();
        }

        static async Task ObserveAsync(ValueTask pending) => await pending.ConfigureAwait(false);
    }

    // The timer: waiters whose maxQueueWait has passed are told at once, even while the pump waits for the store
    // on behalf of the head (then the head too: the pump gives its units back when the store answers); then the
    // pump looks at the line.
    private void OnTimer()
    {
        List<(QueueWaiter Waiter, WaitResult Result)>? expired = null;
        lock (_lock)
        {
            long now = _owner.Now();
            Accrue(now);
            if (_inFlight is { } head && !head.CancelRequested && head.Deadline <= now)
            {
                head.CancelRequested = true;
                (expired ??= []).Add((head, TimedOut(head, now, Estimate((int)head.Class, head.Cost, head.MayBorrow, now))));
            }

            if (_pumping)
            {
                // The pump is busy with the store: it will not reach the line's expired waiters until the store answers.
                while (_line.TakeExpired(now) is QueueWaiter waiter)
                {
                    _owner.CountWaiter(-1);
                    (expired ??= []).Add((waiter, TimedOut(waiter, now, Estimate((int)waiter.Class, waiter.Cost, waiter.MayBorrow, now))));
                }

                ArmDeadline(now);
            }
        }

        if (expired is not null)
        {
            foreach ((QueueWaiter waiter, WaitResult result) in expired)
            {
                waiter.TryComplete(result);
            }
        }

        Kick();
    }

    private WaitResult TimedOut(QueueWaiter waiter, long now, TimeSpan? retryAfter)
    {
        TimeSpan waited = TimeSpan.FromTicks(now - waiter.EnqueuedAt);
        return new WaitResult(WaitStatus.TimedOut, default, default, waited, retryAfter,
            string.Format(CultureInfo.InvariantCulture, "It waited {0} for '{1}', its class's maxQueueWait.", QuotaMessages.FormatDuration(waited), Key));
    }

    // Under the lock, while the pump is busy: the timer fires at the next deadline of a waiter (the head in flight included).
    private void ArmDeadline(long now)
    {
        long due = _line.EarliestDeadline();
        if (_inFlight is { CancelRequested: false } head)
        {
            due = Math.Min(due, head.Deadline);
        }

        if (due == long.MaxValue)
        {
            return;
        }

        _timer ??= _owner.Time.CreateTimer(Tick, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(TimeSpan.FromTicks(Math.Max(1, due - now)), Timeout.InfiniteTimeSpan);
    }

    // Serves waiters while units are there. Exactly one pump runs per queue (_pumping); it takes units
    // for one head at a time outside the lock, so a remote store's latency never blocks arrivals.
    private async ValueTask PumpAsync()
    {
        while (true)
        {
            QueueWaiter? expired;
            QueueWaiter? head = null;
            double protect = 0;
            long now;
            TimeSpan? expiredRetry = null;
            lock (_lock)
            {
                _pumpAgain = false;
                now = _owner.Now();
                Accrue(now);
                expired = _line.TakeExpired(now);
                if (expired is not null)
                {
                    _owner.CountWaiter(-1);
                    expiredRetry = Estimate((int)expired.Class, expired.Cost, expired.MayBorrow, now);
                }
                else
                {
                    head = Select(now);
                    if (head is null)
                    {
                        _pumping = false;
                        Idle(now);
                        return;
                    }

                    head.InFlight = true;
                    _inFlight = head;
                    protect = head.MayBorrow ? 0 : Protection((int)head.Class, head.Cost);

                    // A store may take its time (a remote one, up to its timeouts): waiters' deadlines are kept meanwhile
                    // by the timer (OnTimer), not by the end of this call.
                    ArmDeadline(now);
                }
            }

            if (expired is not null)
            {
                expired.TryComplete(TimedOut(expired, now, expiredRetry));
                continue;
            }

            QuotaStoreResult taken;
            try
            {
                taken = await _owner.Store.TryAcquireAsync(head!.StoreRequest, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                taken = QuotaStoreResult.Unavailable("the store failed while serving the queue: " + e.GetType().Name + ": " + e.Message);
            }

            bool undo = false;
            bool stop = false;
            QueueWaiter? complete = null;
            WaitResult result = default;
            lock (_lock)
            {
                head!.InFlight = false;
                _inFlight = null;
                now = _owner.Now();
                Accrue(now);
                Observe(taken, now);
                TimeSpan waited = TimeSpan.FromTicks(now - head.EnqueuedAt);
                if (head.CancelRequested)
                {
                    // Cancelled, or timed out, while its units were being taken: it has been told; give the units back.
                    if (_line.Remove(head))
                    {
                        _owner.CountWaiter(-1);
                    }

                    undo = taken.IsAdmitted;
                }
                else if (taken.IsAdmitted && Covers(taken.Remaining, protect))
                {
                    Spend((int)head.Class, head.Cost);
                    _line.Remove(head);
                    _owner.CountWaiter(-1);
                    complete = head;
                    result = new WaitResult(WaitStatus.Granted, taken, default, waited, null, null);
                }
                else if (taken.IsAdmitted)
                {
                    // The units are there but belong to another class's reserve: wait for refill.
                    undo = true;
                    stop = true;
                    Arm(now, now + SecondsToTicks((protect - taken.Remaining) / _limits.RefillPerSecond));
                }
                else if (taken.Outcome == QuotaStoreOutcome.BucketExhausted && taken.RetryAfter is TimeSpan retry)
                {
                    stop = true;
                    Arm(now, now + Math.Max(1, retry.Ticks));
                }
                else
                {
                    // A ceiling, a cost the bucket can never hold, or an unreachable store: waiting cannot help.
                    _line.Remove(head);
                    _owner.CountWaiter(-1);
                    complete = head;
                    result = new WaitResult(WaitStatus.Refused, taken, default, waited, taken.RetryAfter, taken.Detail);
                }
            }

            if (undo)
            {
                await GiveBackAsync(head!).ConfigureAwait(false);
            }

            if (complete is not null && !complete.TryComplete(result) && result.Status == WaitStatus.Granted)
            {
                await GiveBackAsync(complete).ConfigureAwait(false); // its caller gave up at the same instant
            }

            if (stop)
            {
                lock (_lock)
                {
                    if (!_pumpAgain)
                    {
                        _pumping = false;
                        return;
                    }
                }
            }
        }
    }

    private async ValueTask GiveBackAsync(QueueWaiter waiter)
    {
        try
        {
            await _owner.Store.SettleAsync(waiter.StoreRequest.Key, waiter.StoreRequest.Limits, -waiter.Cost, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _owner.ReportGiveBackFailure(Key, waiter.Cost, e);
        }
    }

    private void Cancel(QueueWaiter waiter, CancellationToken token)
    {
        lock (_lock)
        {
            if (waiter.IsCompleted || !waiter.Linked)
            {
                return; // already served, timed out or refused
            }

            if (waiter.InFlight)
            {
                waiter.CancelRequested = true; // the pump gives its units back
            }
            else
            {
                _line.Remove(waiter);
                _owner.CountWaiter(-1);
            }
        }

        waiter.TryCancel(token);
        Kick(); // the head may have changed
    }

    // ---- under the lock -------------------------------------------------------------------------

    private void Configure(in BucketArrival a, long now)
    {
        Accrue(now);
        BucketLimits limits = a.Request.Limits;
        if (!ReferenceEquals(_settings, a.Settings) || !ReferenceEquals(_limits, limits))
        {
            for (int c = 0; c < WaitingLine.ClassCount; c++)
            {
                double cap = a.Settings.Shares[c] * limits.Capacity;
                _reserve[c] = _settings.Shares[c] > 0 ? Math.Min(_reserve[c], cap) : cap;
            }

            _settings = a.Settings;
            _limits = limits;
        }
    }

    private void Accrue(long now)
    {
        long elapsed = now - _reserveAt;
        if (elapsed <= 0)
        {
            return;
        }

        _reserveAt = now;
        if (!_settings.HasShares)
        {
            return;
        }

        double seconds = elapsed / (double)TimeSpan.TicksPerSecond;
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            double share = _settings.Shares[c];
            if (share > 0)
            {
                _reserve[c] = Math.Min(share * _limits.Capacity, _reserve[c] + (share * _limits.RefillPerSecond * seconds));
            }
        }
    }

    private bool Within(int c) => _settings.Shares[c] > 0 && _reserve[c] > Epsilon;

    /// <summary>Units a grant of <paramref name="cost"/> to class <paramref name="c"/> must leave in the bucket.</summary>
    private double Protection(int c, double cost)
    {
        if (!_settings.HasShares)
        {
            return 0;
        }

        double held = 0;
        for (int other = 0; other < WaitingLine.ClassCount; other++)
        {
            if (other != c && _settings.Shares[other] > 0)
            {
                held += Math.Max(0, _reserve[other]);
            }
        }

        // Never protect so much that the request could never fit in a full bucket.
        return Math.Min(held, Math.Max(0, _limits.Capacity - cost));
    }

    /// <summary>A grant within the class's share spends its reserve; a grant beyond it borrows spare units.</summary>
    private void Spend(int c, double cost)
    {
        if (Within(c))
        {
            _reserve[c] -= cost;
        }
    }

    private QueueWaiter? Select(long now)
    {
        QueueWaiter? best = null;
        (int, int, int, long, long) bestRank = default;
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            if (_line.Head(c) is not QueueWaiter head)
            {
                continue;
            }

            var rank = WaitingLine.Rank(head, Within(c), now, _settings.PromoteTicks, 0);
            if (best is null || rank.CompareTo(bestRank) < 0)
            {
                best = head;
                bestRank = rank;
            }
        }

        return best;
    }

    private bool OutranksAll(in BucketArrival a, long now)
    {
        int k = (int)a.Class;
        var mine = (Within(k) ? 0 : 1, k, k, 0L, long.MaxValue);
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            if (_line.Head(c) is QueueWaiter head && WaitingLine.Rank(head, Within(c), now, _settings.PromoteTicks, 0).CompareTo(mine) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Estimated wait: the units of everyone who would be served first, plus its own cost and the reserves
    /// it must leave, minus what the bucket holds now, divided by the refill rate; for a class with a
    /// reserved share, at most its own line's units (less its reserve) at share x refill.
    /// </summary>
    private TimeSpan Estimate(int k, double cost, bool mayBorrow, long now)
    {
        double ahead = 0;
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            if (c <= k)
            {
                ahead += _line.CostOf((WorkloadClass)c);
                continue;
            }

            // Less urgent lines count only for the waiters aging has lifted above this class (the oldest
            // come first in each line, so the scan stops at the first that is not).
            for (QueueWaiter? w = _line.Head(c); w is not null && WaitingLine.IsAhead(w, k, now, _settings.PromoteTicks); w = w.Next)
            {
                ahead += w.Cost;
            }
        }

        double protect = mayBorrow ? 0 : Protection(k, cost);
        double need = ahead + cost + protect - Available(now);
        double seconds = need <= 0 ? 0 : need / _limits.RefillPerSecond;

        // A class with a reserved share is served at least at share x refill whatever waits ahead of it by
        // priority: its own line and cost, less what its reserve holds, bound its wait too.
        double share = _settings.Shares[k];
        if (share > 0)
        {
            double own = _line.CostOf((WorkloadClass)k) + cost - Math.Max(0, _reserve[k]);
            seconds = Math.Min(seconds, Math.Max(0, own) / (share * _limits.RefillPerSecond));
        }

        return TimeSpan.FromTicks(SecondsToTicks(seconds));
    }

    private double Available(long now)
    {
        double full = _limits.Capacity + _limits.BurstCredits;
        if (double.IsNaN(_observed))
        {
            return full;
        }

        double seconds = (now - _observedAt) / (double)TimeSpan.TicksPerSecond;
        return Math.Min(full, _observed + (seconds * _limits.RefillPerSecond));
    }

    private void Observe(in QuotaStoreResult taken, long now)
    {
        if (double.IsFinite(taken.Remaining) && (taken.IsAdmitted || taken.Outcome == QuotaStoreOutcome.BucketExhausted))
        {
            _observed = taken.Remaining;
            _observedAt = now;
        }
    }

    private BucketEntry Behind(in BucketArrival a, long now)
    {
        TimeSpan estimate = Estimate((int)a.Class, a.Request.Cost, a.MayBorrow, now);
        var refused = new QuotaStoreResult(QuotaStoreOutcome.BucketExhausted, Available(now), estimate);
        return new BucketEntry(BucketEntryKind.Refused, refused, detail: string.Format(CultureInfo.InvariantCulture,
            "{0} requests wait for '{1}' and would be served first.", _line.Count, Key));
    }

    private BucketEntry Refusal(in BucketArrival a, double shortfall, int k)
    {
        TimeSpan wait = TimeSpan.FromTicks(SecondsToTicks(shortfall / _limits.RefillPerSecond));
        var refused = new QuotaStoreResult(QuotaStoreOutcome.BucketExhausted, double.NaN, wait);
        return new BucketEntry(BucketEntryKind.Refused, refused, detail: string.Format(CultureInfo.InvariantCulture,
            "The units left in '{0}' are reserved for other classes' shares; {1} is served from them after {2}.", Key, (WorkloadClass)k,
            QuotaMessages.FormatDuration(wait)));
    }

    /// <summary>Records an immediate take; returns how far it would dig into other classes' reserves (0 when it does not).</summary>
    private double Commit(in BucketArrival a, in QuotaStoreResult taken, out bool kick)
    {
        lock (_lock)
        {
            long now = _owner.Now();
            Accrue(now);
            Observe(taken, now);
            kick = false;
            if (!taken.IsAdmitted)
            {
                return 0;
            }

            int k = (int)a.Class;
            double protect = a.MayBorrow ? 0 : Protection(k, a.Request.Cost);
            if (Covers(taken.Remaining, protect))
            {
                Spend(k, a.Request.Cost);
                return 0;
            }

            // It will be given back: the bucket then holds its units again.
            _observed = taken.Remaining + a.Request.Cost;
            kick = _line.Count != 0;
            return protect - taken.Remaining;
        }
    }

    // Whether what a take left in the bucket covers the other classes' reserves. The store keeps units in ticks of
    // refill and rounds a take up and a give-back down, so a take that falls short by under two ticks' worth is
    // covered: waiting for refill could never close that gap, since each retry's take-and-give-back loses a tick
    // for every tick of refill waited (a timer re-armed one tick ahead, forever).
    // A store that admits without knowing the level (Remaining NaN: a PostgreSQL store failing open) covers any
    // protection: the queue cannot keep reserves it cannot see, and waiting for refill would never change the answer.
    private bool Covers(double remaining, double protect) =>
        double.IsNaN(remaining) || remaining + Epsilon + (2 / _limits.TicksPerUnit) >= protect;

    private void Arm(long now, long due)
    {
        due = Math.Min(due, _line.EarliestDeadline());
        _timer ??= _owner.Time.CreateTimer(Tick, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(TimeSpan.FromTicks(Math.Max(1, due - now)), Timeout.InfiniteTimeSpan);
    }

    // Nobody waits. Retire once every reserve is full again (a retired bucket's reserves read as full),
    // otherwise look again when they will be.
    private void Idle(long now)
    {
        double longest = 0;
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            double share = _settings.Shares[c];
            if (share > 0)
            {
                double missing = (share * _limits.Capacity) - _reserve[c];
                longest = Math.Max(longest, missing / (share * _limits.RefillPerSecond));
            }
        }

        if (longest <= 1e-7)
        {
            _retired = true;
            _timer?.Dispose();
            _timer = null;
            _owner.Retire(this);
            return;
        }

        _timer ??= _owner.Time.CreateTimer(Tick, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(TimeSpan.FromTicks(Math.Max(1, SecondsToTicks(longest))), Timeout.InfiniteTimeSpan);
    }

    private static long SecondsToTicks(double seconds) =>
        seconds >= TimeSpan.MaxValue.TotalSeconds / 2 ? long.MaxValue / 4 : (long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond);
}
