using System.Collections.Concurrent;
using AgentQuotas.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQuotas.Anomaly;

/// <summary>
/// Watches each tenant's cost rate against its own moving baseline. Time is cut into intervals of
/// <see cref="AnomalyPolicy.Interval"/>; the baseline is the mean cost per interval over the last
/// <see cref="AnomalyPolicy.Window"/> (its completed intervals, idle ones counting as zero); the current rate
/// is the cost of the interval in progress. Once a full window of history exists and the baseline is
/// positive and at least <see cref="AnomalyPolicy.MinBaseline"/> per window, a tenant whose current interval
/// exceeds <see cref="AnomalyPolicy.Factor"/> x baseline is flagged: an event, an audit record, and (when the
/// policy names one) the quarantine tier until <see cref="Clear"/>.
/// </summary>
/// <remarks>
/// Memory: one ring of <c>window / interval</c> sums per tenant. A tenant idle for more than a whole window
/// has nothing left in its ring, so its state is dropped (as idle buckets are); when it spends again it starts
/// a new baseline, judged once a full window of history exists. Flagged tenants are kept until cleared. At most
/// <see cref="QuotaGateOptions.MaxAnomalyTenants"/> tenants are tracked at once; past that (after dropping the
/// idle ones) new tenants are not judged until room frees, and a warning says so.
/// </remarks>
public sealed class AnomalyDetector
{
    private readonly ConcurrentDictionary<string, SpendWindow> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _flagged = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Action<string>? _cleared;
    private readonly int _maxTenants;
    private readonly ILogger _logger;
    private int _flaggedCount;
    private int _tracked;
    private long _nextSweep = long.MinValue; // interval index (of the policy's interval) of the next idle sweep
    private long _lastFullWarning = long.MinValue;

    internal AnomalyDetector(TimeProvider time, Action<string>? cleared = null, int maxTenants = QuotaGateOptions.DefaultMaxAnomalyTenants, ILogger? logger = null)
    {
        _time = time;
        _cleared = cleared;
        _maxTenants = maxTenants;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Tenants whose spend is tracked now.</summary>
    internal int TrackedCount => Volatile.Read(ref _tracked);

    /// <summary>Tenants flagged and not yet cleared, with when each was flagged.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Flagged => _flagged;

    /// <summary>Whether <paramref name="tenant"/> is flagged (and, under a policy with a quarantine tier, quarantined).</summary>
    /// <param name="tenant">The tenant.</param>
    public bool IsFlagged(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return Volatile.Read(ref _flaggedCount) != 0 && _flagged.ContainsKey(tenant);
    }

    /// <summary>The tenant's current and baseline spend, or <see langword="null"/> when nothing was observed.</summary>
    /// <param name="tenant">The tenant.</param>
    public TenantSpendRate? GetRate(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!_tenants.TryGetValue(tenant, out SpendWindow? window))
        {
            return null;
        }

        lock (window)
        {
            window.Roll(Interval(window.IntervalTicks));
            return new TenantSpendRate(window.Current, window.Baseline, window.IsEstablished(Interval(window.IntervalTicks)), _flagged.ContainsKey(tenant));
        }
    }

    /// <summary>
    /// Clears a flagged tenant after review: it leaves the quarantine tier and its baseline starts again
    /// from now (a full window of new history is needed before it is judged again).
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>Whether it was flagged.</returns>
    public bool Clear(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (_tenants.TryRemove(tenant, out _))
        {
            Interlocked.Decrement(ref _tracked);
        }

        if (!_flagged.TryRemove(tenant, out _))
        {
            return false;
        }

        Interlocked.Decrement(ref _flaggedCount);
        _cleared?.Invoke(tenant);
        return true;
    }

    /// <summary>
    /// Adds <paramref name="cost"/> (negative for a refund) to the tenant's current interval; returns the
    /// finding when this observation makes the tenant anomalous.
    /// </summary>
    internal AnomalyFinding? Observe(string tenant, double cost, AnomalyPolicy policy)
    {
        long intervalTicks = policy.Interval.Ticks;
        int slots = (int)Math.Max(1, policy.Window.Ticks / intervalTicks);
        SweepIfDue(Interval(intervalTicks), slots);
        while (true)
        {
            if (FindOrTrack(tenant, intervalTicks, slots) is not SpendWindow window)
            {
                return null;
            }

            if (Observe(tenant, window, cost, policy, intervalTicks, slots, out AnomalyFinding? finding))
            {
                return finding;
            }

            // Dropped as idle at this instant (its ring was empty): unlink it and start afresh.
            if (_tenants.TryRemove(new KeyValuePair<string, SpendWindow>(tenant, window)))
            {
                Interlocked.Decrement(ref _tracked);
            }
        }
    }

    // False when the window was dropped meanwhile.
    private bool Observe(string tenant, SpendWindow window, double cost, AnomalyPolicy policy, long intervalTicks, int slots, out AnomalyFinding? finding)
    {
        finding = null;
        double current, baseline;
        lock (window)
        {
            long now = Interval(intervalTicks);
            if (window.Evicted)
            {
                return false;
            }

            if (window.IntervalTicks != intervalTicks || window.Slots != slots)
            {
                window.Restart(intervalTicks, slots, now); // the policy changed the yardstick: start again
            }

            window.Roll(now);
            window.Current += cost;
            window.LastSpend = now;
            if (window.Flagged || !window.IsEstablished(now) || cost <= 0)
            {
                return true;
            }

            current = window.Current;
            baseline = window.Baseline;
            if (baseline <= 0 || baseline * slots < policy.MinBaseline || window.Current <= policy.Factor * baseline)
            {
                return true;
            }

            window.Flagged = true;
        }

        if (_flagged.TryAdd(tenant, _time.GetUtcNow()))
        {
            Interlocked.Increment(ref _flaggedCount);
        }

        finding = new AnomalyFinding(current, baseline);
        return true;
    }

    // The tenant's window, a new one while there is room, or null when the detector is full even after dropping idle tenants.
    private SpendWindow? FindOrTrack(string tenant, long intervalTicks, int slots)
    {
        if (_tenants.TryGetValue(tenant, out SpendWindow? window))
        {
            return window;
        }

        long now = Interval(intervalTicks);
        if (Volatile.Read(ref _tracked) >= _maxTenants)
        {
            Sweep(now);
            if (Volatile.Read(ref _tracked) >= _maxTenants)
            {
                long last = Interlocked.Read(ref _lastFullWarning);
                if (now - last >= slots && Interlocked.CompareExchange(ref _lastFullWarning, now, last) == last)
                {
                    Log.AnomalyDetectorFull(_logger, Volatile.Read(ref _tracked), tenant);
                }

                return null;
            }
        }

        var created = new SpendWindow(intervalTicks, slots, now) { LastSpend = now };
        window = _tenants.GetOrAdd(tenant, created);
        if (ReferenceEquals(window, created))
        {
            Interlocked.Increment(ref _tracked);
        }

        return window;
    }

    // Once a window (in intervals), one caller drops the tenants idle for more than a whole window.
    private void SweepIfDue(long now, int slots)
    {
        long due = Interlocked.Read(ref _nextSweep);
        if (now >= due && Interlocked.CompareExchange(ref _nextSweep, now + slots, due) == due)
        {
            Sweep(now);
        }
    }

    private void Sweep(long now)
    {
        foreach (KeyValuePair<string, SpendWindow> entry in _tenants)
        {
            SpendWindow window = entry.Value;
            lock (window)
            {
                // Every interval it spent in has left the window: its ring is all zeros, as a new one's would be.
                if (window.Flagged || window.Evicted || now - window.LastSpend <= window.Slots)
                {
                    continue;
                }

                window.Evicted = true;
            }

            if (_tenants.TryRemove(entry))
            {
                Interlocked.Decrement(ref _tracked);
            }
        }
    }

    private long Interval(long intervalTicks) => (long)(_time.GetTimestamp() * ((double)TimeSpan.TicksPerSecond / _time.TimestampFrequency)) / intervalTicks;

    internal readonly record struct AnomalyFinding(double Current, double Baseline);

    /// <summary>One tenant's ring of per-interval sums. Guarded by its own monitor.</summary>
    private sealed class SpendWindow
    {
        private double[] _ring;
        private double _sum;

        public SpendWindow(long intervalTicks, int slots, long now)
        {
            _ring = new double[slots];
            Restart(intervalTicks, slots, now);
        }

        public long IntervalTicks { get; private set; }

        public int Slots { get; private set; }

        public long Index { get; private set; }

        public long First { get; private set; }

        public double Current { get; set; }

        public bool Flagged { get; set; }

        /// <summary>The last interval the tenant spent in (an idle sweep drops the window once it left the window).</summary>
        public long LastSpend { get; set; }

        /// <summary>Set, under the monitor, once the window has been dropped from the detector.</summary>
        public bool Evicted { get; set; }

        /// <summary>Mean cost per completed interval over the window.</summary>
        public double Baseline => _sum / Slots;

        public bool IsEstablished(long now) => now - First >= Slots;

        public void Restart(long intervalTicks, int slots, long now)
        {
            IntervalTicks = intervalTicks;
            Slots = slots;
            if (_ring.Length != slots)
            {
                _ring = new double[slots];
            }
            else
            {
                Array.Clear(_ring);
            }

            _sum = 0;
            Index = now;
            First = now;
            Current = 0;
        }

        /// <summary>Closes the intervals that ended before <paramref name="now"/> (idle ones count as zero).</summary>
        public void Roll(long now)
        {
            if (now <= Index)
            {
                return;
            }

            long steps = Math.Min(now - Index, Slots + 1L);
            for (long i = 0; i < steps; i++)
            {
                long closing = Index + i;
                int slot = (int)(closing % Slots);
                double value = i == 0 ? Current : 0;
                _sum += value - _ring[slot];
                _ring[slot] = value;
            }

            if (now - Index > Slots)
            {
                Array.Clear(_ring);
                _sum = 0;
            }

            Index = now;
            Current = 0;
            if (Math.Abs(_sum) < 1e-9)
            {
                _sum = 0; // no drift from repeated adds and subtracts
            }
        }
    }
}
