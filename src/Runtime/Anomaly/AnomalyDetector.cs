using System.Collections.Concurrent;
using AgentQuotas.Policy;

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
public sealed class AnomalyDetector
{
    private readonly ConcurrentDictionary<string, SpendWindow> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _flagged = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Action<string>? _cleared;
    private int _flaggedCount;

    internal AnomalyDetector(TimeProvider time, Action<string>? cleared = null)
    {
        _time = time;
        _cleared = cleared;
    }

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
        _tenants.TryRemove(tenant, out _);
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
        SpendWindow window = _tenants.GetOrAdd(tenant, static (_, a) => new SpendWindow(a.intervalTicks, a.slots, a.now), (intervalTicks, slots, now: Interval(intervalTicks)));
        double current, baseline;
        lock (window)
        {
            long now = Interval(intervalTicks);
            if (window.IntervalTicks != intervalTicks || window.Slots != slots)
            {
                window.Restart(intervalTicks, slots, now); // the policy changed the yardstick: start again
            }

            window.Roll(now);
            window.Current += cost;
            if (window.Flagged || !window.IsEstablished(now) || cost <= 0)
            {
                return null;
            }

            current = window.Current;
            baseline = window.Baseline;
            if (baseline <= 0 || baseline * slots < policy.MinBaseline || window.Current <= policy.Factor * baseline)
            {
                return null;
            }

            window.Flagged = true;
        }

        if (_flagged.TryAdd(tenant, _time.GetUtcNow()))
        {
            Interlocked.Increment(ref _flaggedCount);
        }

        return new AnomalyFinding(current, baseline);
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
