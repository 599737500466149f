namespace AgentQuotas.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose time moves only when a test calls <see cref="Advance"/>. Timestamps
/// tick at <see cref="TimeSpan.TicksPerSecond"/>; timers fire, in due order, during <see cref="Advance"/>.
/// Thread-safe: many threads may read the time while one advances it.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _start;
    private readonly object _timersLock = new();
    private readonly List<ManualTimer> _timers = new();
    private long _elapsedTicks;
    private int _firings;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public ManualTimeProvider(DateTimeOffset start)
    {
        _start = start;
    }

    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _elapsedTicks));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    public override long GetTimestamp() => Interlocked.Read(ref _elapsedTicks);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves time forward and fires every timer that falls due, each at its due time.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target = Interlocked.Read(ref _elapsedTicks) + delta.Ticks;
        while (true)
        {
            ManualTimer? next = null;
            lock (_timersLock)
            {
                foreach (ManualTimer timer in _timers)
                {
                    if (timer.DueTicks <= target && (next is null || timer.DueTicks < next.DueTicks))
                    {
                        next = timer;
                    }
                }

                if (next is not null)
                {
                    Interlocked.Exchange(ref _elapsedTicks, Math.Max(Interlocked.Read(ref _elapsedTicks), next.DueTicks));
                    next.Reschedule();
                }
            }

            if (next is null)
            {
                break;
            }

            Interlocked.Increment(ref _firings);
            next.Fire();
        }

        Interlocked.Exchange(ref _elapsedTicks, target);
    }

    public void Advance(double seconds) => Advance(TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Timer callbacks run so far (a timer re-armed for "now" over and over shows up here).</summary>
    public int Firings => Volatile.Read(ref _firings);

    public int ActiveTimers
    {
        get
        {
            lock (_timersLock)
            {
                return _timers.Count;
            }
        }
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private long _periodTicks;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public long DueTicks { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._timersLock)
            {
                _owner._timers.Remove(this);
                _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueTicks = _owner.GetTimestamp() + dueTime.Ticks;
                    _owner._timers.Add(this);
                }
            }

            return true;
        }

        // Called under the owner's lock when the timer fires.
        public void Reschedule()
        {
            if (_periodTicks > 0)
            {
                DueTicks += _periodTicks;
            }
            else
            {
                _owner._timers.Remove(this);
            }
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._timersLock)
            {
                _owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
