using System.Collections.Concurrent;
using AgentQuotas.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQuotas.Anomaly;

/// <summary>
/// Watches each tenant's cost rate (and, when the policy asks, its request rate and token growth, each with its own
/// factor: <see cref="AnomalySignal"/>) against its own moving baseline. Time is cut into intervals of
/// <see cref="AnomalyPolicy.Interval"/>; the baseline is the mean cost per interval over the last
/// <see cref="AnomalyPolicy.Window"/> (its completed intervals, idle ones counting as zero); the current rate
/// is the cost of the interval in progress. Once a full window of history exists and the baseline is
/// positive and at least <see cref="AnomalyPolicy.MinBaseline"/> per window, a tenant whose current interval
/// exceeds <see cref="AnomalyPolicy.Factor"/> x baseline is flagged: an event, an audit record, and (when the
/// policy names one) the quarantine tier until <see cref="Clear"/>. Every signal keeps its own rings and is judged
/// alone; the first to flag a tenant flags it (one record, one event), and <see cref="Clear"/> restarts them all.
/// </summary>
/// <remarks>
/// Memory: one ring of <c>window / interval</c> sums per tenant. A tenant idle for more than a whole window
/// has nothing left in its ring, so its state is dropped (as idle buckets are); when it spends again it starts
/// a new baseline, judged once a full window of history exists. Flagged tenants are kept until cleared. At most
/// <see cref="QuotaGateOptions.MaxAnomalyTenants"/> tenants are tracked at once per signal; past that (after dropping the
/// idle ones) new tenants are not judged until room frees, and a warning says so.
/// </remarks>
public sealed class AnomalyDetector
{
    private readonly SignalWindows[] _signals;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _flagged = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Action<string>? _cleared;
    private int _flaggedCount;

    internal AnomalyDetector(TimeProvider time, Action<string>? cleared = null, int maxTenants = QuotaGateOptions.DefaultMaxAnomalyTenants, ILogger? logger = null)
    {
        _time = time;
        _cleared = cleared;
        ILogger log = logger ?? NullLogger.Instance;
        _signals = [new SignalWindows(this, maxTenants, log), new SignalWindows(this, maxTenants, log), new SignalWindows(this, maxTenants, log)];
    }

    /// <summary>Tenants whose spend is tracked now.</summary>
    internal int TrackedCount => _signals[(int)AnomalySignal.Spend].Tracked;

    /// <summary>How many tenants are flagged now.</summary>
    internal int FlaggedCount => Volatile.Read(ref _flaggedCount);

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
    public TenantSpendRate? GetRate(string tenant) => GetRate(tenant, AnomalySignal.Spend);

    /// <summary>
    /// The tenant's current and baseline rate of <paramref name="signal"/> (cost units, admitted calls or tokens per
    /// interval), or <see langword="null"/> when nothing was observed.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="signal">The signal.</param>
    public TenantSpendRate? GetRate(string tenant, AnomalySignal signal)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if ((uint)signal >= (uint)_signals.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "Unknown anomaly signal.");
        }

        return _signals[(int)signal].GetRate(tenant, _flagged.ContainsKey(tenant));
    }

    /// <summary>
    /// Clears a flagged tenant after review: it leaves the quarantine tier and its baselines start again
    /// from now (a full window of new history is needed before it is judged again).
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>Whether it was flagged.</returns>
    public bool Clear(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        foreach (SignalWindows signal in _signals)
        {
            signal.Remove(tenant);
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
    /// Adds <paramref name="cost"/> (negative for a refund) to the tenant's current spend interval; returns the
    /// finding when this observation makes the tenant anomalous.
    /// </summary>
    internal AnomalyFinding? Observe(string tenant, double cost, AnomalyPolicy policy) => Observe(tenant, AnomalySignal.Spend, cost, policy);

    /// <summary>
    /// Adds <paramref name="amount"/> to the tenant's current interval of <paramref name="signal"/>; returns the
    /// finding when this observation flags the tenant (not when another signal flagged it already).
    /// </summary>
    internal AnomalyFinding? Observe(string tenant, AnomalySignal signal, double amount, AnomalyPolicy policy)
    {
        if (policy.For(signal) is not AnomalySignalPolicy judged
            || _signals[(int)signal].Observe(tenant, amount, policy, judged) is not (double current, double baseline))
        {
            return null;
        }

        if (!_flagged.TryAdd(tenant, _time.GetUtcNow()))
        {
            return null; // another signal flagged it first: one record, one event
        }

        Interlocked.Increment(ref _flaggedCount);
        return new AnomalyFinding(signal, current, baseline, judged.Factor);
    }

    private long Interval(long intervalTicks) => (long)(_time.GetTimestamp() * ((double)TimeSpan.TicksPerSecond / _time.TimestampFrequency)) / intervalTicks;

    internal readonly record struct AnomalyFinding(AnomalySignal Signal, double Current, double Baseline, double Factor);

    /// <summary>One signal's windows, one per tenant, with their own room limit and idle sweep.</summary>
    private sealed class SignalWindows
    {
        private readonly ConcurrentDictionary<string, SpendWindow> _tenants = new(StringComparer.Ordinal);
        private readonly AnomalyDetector _owner;
        private readonly int _maxTenants;
        private readonly ILogger _logger;
        private int _tracked;
        private long _nextSweep = long.MinValue; // interval index (of the policy's interval) of the next idle sweep
        private long _lastFullWarning = long.MinValue;

        public SignalWindows(AnomalyDetector owner, int maxTenants, ILogger logger)
        {
            _owner = owner;
            _maxTenants = maxTenants;
            _logger = logger;
        }

        public int Tracked => Volatile.Read(ref _tracked);

        public TenantSpendRate? GetRate(string tenant, bool flagged)
        {
            if (!_tenants.TryGetValue(tenant, out SpendWindow? window))
            {
                return null;
            }

            lock (window)
            {
                long now = _owner.Interval(window.IntervalTicks);
                window.Roll(now);
                return new TenantSpendRate(window.Current, window.Baseline, window.IsEstablished(now), flagged);
            }
        }

        public void Remove(string tenant)
        {
            if (_tenants.TryRemove(tenant, out _))
            {
                Interlocked.Decrement(ref _tracked);
            }
        }

        // The current and baseline values when this observation crosses the signal's threshold.
        public (double Current, double Baseline)? Observe(string tenant, double amount, AnomalyPolicy policy, AnomalySignalPolicy judged)
        {
            long intervalTicks = policy.Interval.Ticks;
            int slots = (int)Math.Max(1, policy.Window.Ticks / intervalTicks);
            SweepIfDue(_owner.Interval(intervalTicks), slots);
            while (true)
            {
                if (FindOrTrack(tenant, intervalTicks, slots) is not SpendWindow window)
                {
                    return null;
                }

                if (Observe(window, amount, judged, intervalTicks, slots, out (double, double)? crossed))
                {
                    return crossed;
                }

                // Dropped as idle at this instant (its ring was empty): unlink it and start afresh.
                if (_tenants.TryRemove(new KeyValuePair<string, SpendWindow>(tenant, window)))
                {
                    Interlocked.Decrement(ref _tracked);
                }
            }
        }

        // False when the window was dropped meanwhile.
        private bool Observe(SpendWindow window, double amount, AnomalySignalPolicy judged, long intervalTicks, int slots, out (double, double)? crossed)
        {
            crossed = null;
            lock (window)
            {
                long now = _owner.Interval(intervalTicks);
                if (window.Evicted)
                {
                    return false;
                }

                if (window.IntervalTicks != intervalTicks || window.Slots != slots)
                {
                    window.Restart(intervalTicks, slots, now); // the policy changed the yardstick: start again
                }

                window.Roll(now);
                window.Current += amount;
                window.LastSpend = now;
                if (window.Flagged || !window.IsEstablished(now) || amount <= 0)
                {
                    return true;
                }

                double baseline = window.Baseline;
                if (baseline <= 0 || baseline * slots < judged.MinBaseline || window.Current <= judged.Factor * baseline)
                {
                    return true;
                }

                window.Flagged = true;
                crossed = (window.Current, baseline);
                return true;
            }
        }

        // The tenant's window, a new one while there is room, or null when the detector is full even after dropping idle tenants.
        private SpendWindow? FindOrTrack(string tenant, long intervalTicks, int slots)
        {
            if (_tenants.TryGetValue(tenant, out SpendWindow? window))
            {
                return window;
            }

            long now = _owner.Interval(intervalTicks);
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
    }

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
