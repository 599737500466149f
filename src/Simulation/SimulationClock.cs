namespace AgentQuotas.Simulation;

/// <summary>
/// The simulation's virtual time: a <see cref="TimeProvider"/> whose timers and the simulation's own events
/// share one queue ordered by (due time, scheduling order), so a run is a deterministic sequence of events
/// on one thread. Time moves only when the next event is taken.
/// </summary>
internal sealed class SimulationClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly PriorityQueue<Entry, (long Due, long Sequence)> _events = new();
    private long _now;
    private long _sequence;

    /// <summary>Ticks since the start of the simulation.</summary>
    public long Now => _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(_now);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public void Schedule(long due, Action action) => Push(new Entry(action, null, 0), Math.Max(due, _now));

    /// <summary>Runs every event due at or before <paramref name="until"/>, in order; returns the events run.</summary>
    public long RunUntil(long until)
    {
        long count = 0;
        while (_events.TryPeek(out Entry? entry, out (long Due, long Sequence) key) && key.Due <= until)
        {
            _events.Dequeue();
            if (entry.Timer is SimulationTimer timer && timer.Version != entry.Version)
            {
                continue; // the timer was changed or disposed after this firing was scheduled
            }

            _now = Math.Max(_now, key.Due);
            count++;
            if (entry.Timer is SimulationTimer t)
            {
                t.Fire();
            }
            else
            {
                entry.Action!();
            }
        }

        _now = Math.Max(_now, until);
        return count;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimulationTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Push(Entry entry, long due) => _events.Enqueue(entry, (due, _sequence++));

    private sealed record Entry(Action? Action, SimulationTimer? Timer, int Version);

    private sealed class SimulationTimer : ITimer
    {
        private readonly SimulationClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private long _period;

        public SimulationTimer(SimulationClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
        }

        public int Version { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Version++;
            _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                _clock.Push(new Entry(null, this, Version), _clock._now + Math.Max(0, dueTime.Ticks));
            }

            return true;
        }

        public void Fire()
        {
            if (_period > 0)
            {
                _clock.Push(new Entry(null, this, Version), _clock._now + _period);
            }

            _callback(_state);
        }

        public void Dispose() => Version++;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
