using System.Globalization;
using AgentQuotas.Policy;

namespace AgentQuotas.Scheduling;

/// <summary>
/// The gate's compute pools: named concurrency limits. A call of class C runs in a reserved pool that
/// lists C if one has a free slot, else in a shared pool; it holds the slot from admission until its
/// ticket is completed or failed.
/// </summary>
/// <remarks>
/// When no pool can take a call, it may wait. A freed slot goes to the best waiter the pool serves:
/// classes within their reserved share of the pool first (fewer running than share x concurrency), then
/// the most urgent effective class (with aging), then the tenant with the fewest calls running in any pool
/// (so tenants of equal weight share the pools equally however many calls each sends), then the earliest
/// arrival. One lock guards the set: pools are shared by every tenant, and a lock makes the slot counts
/// and the hand-over of freed slots to waiters exact.
/// </remarks>
internal sealed class ComputePoolSet : IDisposable
{
    private static readonly TimerCallback Tick = static s => ((ComputePoolSet)s!).Expire();
    private static readonly Action<object?, CancellationToken> Cancelled = static (s, token) =>
    {
        var waiter = (QueueWaiter)s!;
        ((ComputePoolSet)waiter.Owner!).Cancel(waiter, token);
    };

    private readonly Lock _lock = new();
    private readonly BucketScheduler _clock;
    private readonly WaitingLine _line = new() { FifoDeadlines = false };
    private readonly Dictionary<string, int> _tenantRunning = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]> _tenantWaiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ComputePool> _byName = new(StringComparer.Ordinal);
    private ComputePool[] _pools = [];
    private bool _hasPrivileged;
    private QuotaPolicy? _synced;
    private ITimer? _timer;
    private int _waiting;

    public ComputePoolSet(BucketScheduler clock)
    {
        _clock = clock;
    }

    /// <summary>Whether the policy in force has any pool.</summary>
    public bool IsConfigured { get; private set; }

    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Applies the pools of <paramref name="policy"/> (a no-op when it is the policy already applied).</summary>
    public void Sync(QuotaPolicy policy)
    {
        if (ReferenceEquals(Volatile.Read(ref _synced), policy))
        {
            return;
        }

        Apply(policy);
    }

    // Kept out of Sync: its lambdas capture the policy, and a closure over a parameter is allocated when the method
    // starts, so inside Sync every admitted call paid 32 bytes for the policy check.
    private void Apply(QuotaPolicy policy)
    {
        Grants grants;
        lock (_lock)
        {
            if (ReferenceEquals(_synced, policy))
            {
                return;
            }

            foreach (ComputePool pool in _byName.Values)
            {
                pool.IsRemoved = true;
            }

            foreach (PoolPolicy p in policy.Pools)
            {
                if (_byName.TryGetValue(p.Name, out ComputePool? existing))
                {
                    existing.Configure(p);
                }
                else
                {
                    _byName.Add(p.Name, new ComputePool(p));
                }
            }

            // Reserved pools are tried first (they exist for their classes), then shared ones, each in policy order.
            // A pool a model of the policy runs in holds that model's turns only (Routing/ModelPools.cs), never tool calls.
            IEnumerable<PoolPolicy> toolPools = policy.Pools.Where(p => !policy.IsModelPool(p.Name));
            _pools = toolPools.Where(p => p.IsReserved).Concat(toolPools.Where(p => !p.IsReserved)).Select(p => _byName[p.Name]).ToArray();
            IsConfigured = _pools.Length != 0;
            _hasPrivileged = policy.Pools.Any(p => p.IsPrivileged);
            Volatile.Write(ref _synced, policy);
            grants = GrantAll(_clock.Now()); // a larger pool may serve waiters now
        }

        Complete(grants);
    }

    /// <summary>Asks for a slot; waits only when <paramref name="canWait"/> and admission control allows.</summary>
    /// <param name="workloadClass">The call's class.</param>
    /// <param name="tenant">The call's tenant.</param>
    /// <param name="settings">The policy's scheduling settings.</param>
    /// <param name="queueLimit">Most calls of the class and tenant that may wait.</param>
    /// <param name="canWait">Whether the call may wait at all.</param>
    /// <param name="maxWaitTicks">The call's whole maximum wait, in ticks (its class's, or its class's waitBeforeDraft when a draft would serve it).</param>
    /// <param name="waited">How long the call already waited (for units): the class's maximum wait covers both.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="privileged">Whether the call is of a privileged tool: steered to the privileged pools when the policy has any, kept out of them otherwise.</param>
    public PoolEntry Enter(WorkloadClass workloadClass, string tenant, SchedulingSettings settings, int queueLimit, bool canWait, long maxWaitTicks, TimeSpan waited, CancellationToken cancellationToken,
        bool privileged = false)
    {
        QueueWaiter waiter;
        long now = _clock.Now();
        int k = (int)workloadClass;
        lock (_lock)
        {
            if (!IsConfigured)
            {
                return new PoolEntry(PoolEntryKind.Granted);
            }

            bool anyServes = false;
            foreach (ComputePool pool in _pools)
            {
                anyServes |= Admits(pool, workloadClass, privileged);
            }

            if (!anyServes)
            {
                // No pool of the policy serves the class: nothing may run it (fail closed, say why).
                return new PoolEntry(PoolEntryKind.Rejected, reason: QuotaReason.PoolExhausted,
                    detail: privileged && _hasPrivileged
                        ? "No privileged compute pool serves the " + workloadClass + " class; privileged tools run only in pools with \"privileged\": true, so list the class in one."
                        : "No compute pool serves the " + workloadClass + " class; add a shared pool or list the class in a pool.");
            }

            // Grants are decided under this lock as soon as a slot frees, so a free slot never coexists with
            // a waiter its pool serves: taking a free slot here never jumps the queue.
            if (TryTake(workloadClass, privileged, tenant, now, out PoolLease lease))
            {
                return new PoolEntry(PoolEntryKind.Granted, lease);
            }

            TimeSpan? estimate = Estimate(workloadClass, privileged, settings, now);
            string busy = Describe(workloadClass, privileged);
            if (!canWait)
            {
                return new PoolEntry(PoolEntryKind.Rejected, reason: QuotaReason.PoolExhausted, retryAfter: estimate, detail: busy);
            }

            int[] waiting = TenantWaiting(tenant);
            if (waiting[k] >= queueLimit)
            {
                return new PoolEntry(PoolEntryKind.Rejected, reason: QuotaReason.QueueFull, retryAfter: estimate,
                    detail: string.Format(CultureInfo.InvariantCulture, "{0} {1} calls of tenant '{2}' already wait for a compute-pool slot (queueLimit {3}). {4}",
                        waiting[k], workloadClass, tenant, queueLimit, busy));
            }

            long maxWait = maxWaitTicks == long.MaxValue ? long.MaxValue : Math.Max(0, maxWaitTicks - waited.Ticks);
            if (maxWait == 0 || (maxWait != long.MaxValue && estimate is TimeSpan e && e.Ticks > maxWait))
            {
                return new PoolEntry(PoolEntryKind.Rejected, reason: QuotaReason.QueueTimeout, retryAfter: estimate,
                    detail: string.Format(CultureInfo.InvariantCulture, "The estimated wait of {0} for a compute-pool slot exceeds what is left of the {1} class's maxQueueWait ({2}); refused without queueing. {3}",
                        estimate is TimeSpan known ? QuotaMessages.FormatDuration(known) : "(unknown)", workloadClass, QuotaMessages.FormatDuration(TimeSpan.FromTicks(maxWait)), busy));
            }

            waiter = new QueueWaiter(workloadClass, 1, tenant, now, maxWait == long.MaxValue ? long.MaxValue : now + maxWait,
                _clock.NextSequence(), _clock.RunContinuationsAsynchronously) { Owner = this, Privileged = privileged };
            _line.Add(waiter);
            waiting[k]++;
            Interlocked.Increment(ref _waiting);
            ArmDeadline(now);
        }

        waiter.RegisterCancellation(cancellationToken, Cancelled);
        return new PoolEntry(PoolEntryKind.Waiting, waiter: waiter);
    }

    /// <summary>Releases a slot (once per lease; stale copies are ignored) and hands it to the best waiter.</summary>
    public void Release(in PoolLease lease)
    {
        if (lease.Slot is not PoolSlot slot)
        {
            return;
        }

        Grants grants;
        lock (_lock)
        {
            long now = _clock.Now();
            if (!slot.Pool.Release(lease, now))
            {
                return;
            }

            if (_tenantRunning.TryGetValue(slot.Tenant, out int running))
            {
                if (running <= 1)
                {
                    _tenantRunning.Remove(slot.Tenant);
                }
                else
                {
                    _tenantRunning[slot.Tenant] = running - 1;
                }
            }

            grants = _line.Count == 0 ? default : GrantAll(now);
        }

        Complete(grants);
    }

    /// <summary>Slots in use and waiters per pool, for statistics.</summary>
    public IReadOnlyList<(string Name, int Concurrency, int InUse, bool Reserved)> Snapshot()
    {
        lock (_lock)
        {
            return _pools.Select(p => (p.Name, p.Concurrency, p.InUse, p.IsReserved)).ToArray();
        }
    }

    /// <summary>Adds the calls waiting now for a pool slot, by workload class (for the queue-depth gauge).</summary>
    public void CountWaiting(Span<int> byClass)
    {
        lock (_lock)
        {
            for (int c = 0; c < byClass.Length; c++)
            {
                byClass[c] += _line.CountOf((WorkloadClass)c);
            }
        }
    }

    /// <summary>Calls of <paramref name="tenant"/> running in any pool now.</summary>
    public int RunningOf(string tenant)
    {
        lock (_lock)
        {
            return _tenantRunning.GetValueOrDefault(tenant);
        }
    }

    /// <summary>Stops the deadline timer and ends every wait with an <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        List<QueueWaiter> waiters;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            waiters = _line.RemoveAll();
            _tenantWaiting.Clear();
            Volatile.Write(ref _waiting, 0);
        }

        foreach (QueueWaiter waiter in waiters)
        {
            waiter.TryFail(new ObjectDisposedException(nameof(QuotaGate), "The quota gate was disposed while the call waited for a compute-pool slot."));
        }
    }

    /// <summary>Grants decided under the lock, completed after it is released (a completion may run the caller's continuation).</summary>
    private struct Grants
    {
        public QueueWaiter? First;
        public PoolLease FirstLease;
        public List<(QueueWaiter Waiter, PoolLease Lease)>? More;
        public long At;

        public void Add(QueueWaiter waiter, PoolLease lease)
        {
            if (First is null)
            {
                First = waiter;
                FirstLease = lease;
            }
            else
            {
                (More ??= []).Add((waiter, lease));
            }
        }
    }

    // Under the lock: hands free slots to waiters until no free slot serves any waiter.
    private Grants GrantAll(long now)
    {
        var grants = new Grants { At = now };
        if (_synced is null)
        {
            return grants;
        }

        SchedulingSettings settings = _synced.Schedule;
        while (_line.Count != 0 && TryServeBest(now, settings, out QueueWaiter? served, out PoolLease lease))
        {
            grants.Add(served!, lease);
        }

        ArmDeadline(now);
        return grants;
    }

    private void Complete(in Grants grants)
    {
        if (grants.First is null)
        {
            return;
        }

        Complete(grants.First, grants.FirstLease, grants.At);
        if (grants.More is not null)
        {
            foreach ((QueueWaiter waiter, PoolLease lease) in grants.More)
            {
                Complete(waiter, lease, grants.At);
            }
        }
    }

    private void Complete(QueueWaiter waiter, in PoolLease lease, long now)
    {
        var result = new WaitResult(WaitStatus.Granted, default, lease, TimeSpan.FromTicks(now - waiter.EnqueuedAt), null, lease.PoolName);
        if (!waiter.TryComplete(result))
        {
            Release(lease); // its caller gave up at the same instant
        }
    }

    // Under the lock: picks, over every pool with a free slot (reserved pools first), the best waiter the
    // pool serves, and grants it that pool's slot.
    private bool TryServeBest(long now, SchedulingSettings settings, out QueueWaiter? served, out PoolLease lease)
    {
        foreach (ComputePool pool in _pools)
        {
            if (!pool.HasFree)
            {
                continue;
            }

            QueueWaiter? best = null;
            (int, int, int, long, long) bestRank = default;
            for (int c = 0; c < WaitingLine.ClassCount; c++)
            {
                if (!pool.Serves((WorkloadClass)c))
                {
                    continue;
                }

                bool within = pool.WithinShare(c, settings.Shares[c]);
                for (QueueWaiter? w = _line.Head(c); w is not null; w = w.Next)
                {
                    if (pool.IsPrivileged != (w.Privileged && _hasPrivileged))
                    {
                        continue; // privileged pools serve privileged calls only, and only they do
                    }

                    var rank = WaitingLine.Rank(w, within, now, settings.PromoteTicks, _tenantRunning.GetValueOrDefault(w.Tenant));
                    if (best is null || rank.CompareTo(bestRank) < 0)
                    {
                        best = w;
                        bestRank = rank;
                    }
                }
            }

            if (best is not null)
            {
                _line.Remove(best);
                UncountWaiter(best);
                lease = pool.Take(best.Class, best.Tenant, now);
                CountRunning(best.Tenant);
                served = best;
                return true;
            }
        }

        served = null;
        lease = default;
        return false;
    }

    // Under the lock: whether a call may use the pool. Privileged pools take privileged calls only; while the policy has
    // any, privileged calls take nothing else (without any, they use the ordinary pools).
    private bool Admits(ComputePool pool, WorkloadClass workloadClass, bool privileged) =>
        pool.Serves(workloadClass) && pool.IsPrivileged == (privileged && _hasPrivileged);

    private bool TryTake(WorkloadClass workloadClass, bool privileged, string tenant, long now, out PoolLease lease)
    {
        foreach (ComputePool pool in _pools)
        {
            if (pool.HasFree && Admits(pool, workloadClass, privileged))
            {
                lease = pool.Take(workloadClass, tenant, now);
                CountRunning(tenant);
                return true;
            }
        }

        lease = default;
        return false;
    }

    private void CountRunning(string tenant) =>
        _tenantRunning[tenant] = _tenantRunning.GetValueOrDefault(tenant) + 1;

    private int[] TenantWaiting(string tenant)
    {
        if (!_tenantWaiting.TryGetValue(tenant, out int[]? counts))
        {
            counts = new int[WaitingLine.ClassCount];
            _tenantWaiting.Add(tenant, counts);
        }

        return counts;
    }

    private void UncountWaiter(QueueWaiter waiter)
    {
        if (_tenantWaiting.TryGetValue(waiter.Tenant, out int[]? counts) && counts[(int)waiter.Class] > 0)
        {
            counts[(int)waiter.Class]--;
            Interlocked.Decrement(ref _waiting);
            if (counts.All(n => n == 0))
            {
                _tenantWaiting.Remove(waiter.Tenant);
            }
        }
    }

    /// <summary>
    /// Estimated wait: (waiters served first + 1) x the mean slot hold time / the slots of the pools that
    /// serve the class. Unknown (null) until a slot of those pools has been released once.
    /// </summary>
    private TimeSpan? Estimate(WorkloadClass workloadClass, bool privileged, SchedulingSettings settings, long now)
    {
        int k = (int)workloadClass;
        double slots = 0, hold = 0;
        foreach (ComputePool pool in _pools)
        {
            if (Admits(pool, workloadClass, privileged) && !pool.IsRemoved)
            {
                slots += pool.Concurrency;
                hold += pool.MeanHoldTicks * pool.Concurrency;
            }
        }

        if (slots == 0 || hold == 0)
        {
            return null;
        }

        int ahead = 0;
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            for (QueueWaiter? w = _line.Head(c); w is not null; w = w.Next)
            {
                if (WaitingLine.IsAhead(w, k, now, settings.PromoteTicks))
                {
                    ahead++;
                }
            }
        }

        double meanHold = hold / slots;
        return TimeSpan.FromTicks((long)Math.Ceiling(meanHold * (ahead + 1) / slots));
    }

    private string Describe(WorkloadClass workloadClass, bool privileged)
    {
        IEnumerable<string> busy = _pools.Where(p => Admits(p, workloadClass, privileged) && !p.IsRemoved)
            .Select(p => string.Format(CultureInfo.InvariantCulture, "'{0}' {1}/{2}", p.Name, p.InUse, p.Concurrency));
        return "Pools for " + workloadClass + ": " + string.Join(", ", busy) + " in use.";
    }

    private void ArmDeadline(long now)
    {
        long earliest = _line.EarliestDeadline();
        if (earliest == long.MaxValue)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        _timer ??= _clock.Time.CreateTimer(Tick, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(TimeSpan.FromTicks(Math.Max(1, earliest - now)), Timeout.InfiniteTimeSpan);
    }

    private void Expire()
    {
        while (true)
        {
            QueueWaiter? expired;
            long now = _clock.Now();
            TimeSpan? estimate;
            lock (_lock)
            {
                expired = _line.TakeExpired(now);
                if (expired is null)
                {
                    ArmDeadline(now);
                    return;
                }

                UncountWaiter(expired);
                estimate = _synced is null ? null : Estimate(expired.Class, expired.Privileged, _synced.Schedule, now);
            }

            TimeSpan waited = TimeSpan.FromTicks(now - expired.EnqueuedAt);
            expired.TryComplete(new WaitResult(WaitStatus.TimedOut, default, default, waited, estimate,
                string.Format(CultureInfo.InvariantCulture, "It waited {0} for a compute-pool slot, its class's maxQueueWait.", QuotaMessages.FormatDuration(waited))));
        }
    }

    private void Cancel(QueueWaiter waiter, CancellationToken token)
    {
        lock (_lock)
        {
            if (waiter.IsCompleted || !_line.Remove(waiter))
            {
                return;
            }

            UncountWaiter(waiter);
        }

        waiter.TryCancel(token);
    }
}
