namespace SupportDesk.Hosting;

/// <summary>
/// Virtual time for a run on one thread: a <see cref="TimeProvider"/> whose timers sit in one queue ordered by
/// (due time, creation order) and whose time moves only when <see cref="VirtualTimeLoop"/> fires the next one.
/// Everything that waits on this clock (tool and model latencies, bucket refills in the gate's queues, arrivals)
/// therefore happens in one reproducible order, and minutes of simulated traffic take seconds.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Firing, (long Due, long Sequence)> _timers = new();
    private readonly DateTimeOffset _start;
    private long _now;
    private const int MaxFiringsAtOneInstant = 1_000_000;

    private long _sequence;
    private long _firingsAtNow;
    private int _owner;
    private int _foreignCalls;

    /// <summary>Creates a clock that starts at <paramref name="start"/>.</summary>
    /// <param name="start">The wall-clock time the run starts at (UTC).</param>
    public VirtualClock(DateTimeOffset start)
    {
        _start = start.ToUniversalTime();
    }

    /// <summary>Simulated time since the start.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _now));

    /// <summary>Timers created or changed from a thread other than the loop's: each one is work that escaped the loop.</summary>
    internal int ForeignCalls => Volatile.Read(ref _foreignCalls);

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public override long GetTimestamp() => Volatile.Read(ref _now);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _start.AddTicks(Volatile.Read(ref _now));

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Makes the calling thread the one expected to use the clock.</summary>
    internal void Own() => _owner = Environment.CurrentManagedThreadId;

    /// <summary>When the earliest timer is due, as time since the start; <see langword="null"/> when none is set.</summary>
    internal TimeSpan? NextDue()
    {
        lock (_lock)
        {
            while (_timers.TryPeek(out Firing firing, out (long Due, long Sequence) key))
            {
                if (firing.Version == firing.Timer.Version)
                {
                    return TimeSpan.FromTicks(Math.Max(key.Due, _now));
                }

                _timers.Dequeue(); // stale: changed or disposed since
            }

            return null;
        }
    }

    /// <summary>Fires the earliest timer, moving time to its due time; <see langword="false"/> when none is left.</summary>
    internal bool FireNext()
    {
        while (true)
        {
            Firing firing;
            lock (_lock)
            {
                if (!_timers.TryDequeue(out firing, out (long Due, long Sequence) key))
                {
                    return false;
                }

                if (firing.Version != firing.Timer.Version)
                {
                    continue; // changed or disposed after this firing was scheduled
                }

                if (key.Due > _now)
                {
                    _now = key.Due;
                    _firingsAtNow = 0;
                }
                else if (++_firingsAtNow > MaxFiringsAtOneInstant)
                {
                    throw new InvalidOperationException(
                        $"More than {MaxFiringsAtOneInstant:N0} timers fired at {Elapsed} without time moving on; the last was {firing.Timer.Describe()}. Something re-arms a timer for 'now' forever.");
                }

                firing.Timer.Rearm();
            }

            firing.Timer.Fire();
            return true;
        }
    }

    private void Schedule(VirtualTimer timer, int version, long dueTicks)
    {
        if (_owner != 0 && Environment.CurrentManagedThreadId != _owner)
        {
            Interlocked.Increment(ref _foreignCalls);
        }

        lock (_lock)
        {
            _timers.Enqueue(new Firing(timer, version), (_now + Math.Max(0, dueTicks), _sequence++));
        }
    }

    private readonly record struct Firing(VirtualTimer Timer, int Version);

    private sealed class VirtualTimer : ITimer
    {
        private readonly VirtualClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private long _period;
        private int _version;

        public VirtualTimer(VirtualClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
        }

        public int Version => Volatile.Read(ref _version);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            int version = Interlocked.Increment(ref _version);
            _period = period == Timeout.InfiniteTimeSpan ? 0 : Math.Max(1, period.Ticks);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                _clock.Schedule(this, version, dueTime.Ticks);
            }

            return true;
        }

        // Called under the clock's lock when a firing is taken: a periodic timer is scheduled again.
        public void Rearm()
        {
            if (_period > 0)
            {
                _clock._timers.Enqueue(new Firing(this, _version), (_clock._now + _period, _clock._sequence++));
            }
        }

        public void Fire() => _callback(_state);

        public string Describe() => $"{_callback.Method.DeclaringType?.FullName}.{_callback.Method.Name} (state: {_state?.GetType().FullName ?? "null"})";

        public void Dispose() => Interlocked.Increment(ref _version);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
