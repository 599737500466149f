using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also counts timer callbacks and armed timers, for tests that assert a
/// component does not spin on its timer, or wait until it has armed one.
/// </summary>
public sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly HashSet<CountedTimer> _armed = [];
    private int _firings;

    /// <summary>A clock at <see cref="TestTime.Start"/>.</summary>
    public TimerCountingTimeProvider()
        : base(TestTime.Start)
    {
    }

    /// <summary>Timer callbacks run so far (a timer re-armed for "now" over and over shows up here).</summary>
    public int Firings => Volatile.Read(ref _firings);

    /// <summary>Timers that are due to fire (created or changed with a due time, not yet fired once-only or disposed).</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_armed)
            {
                return _armed.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this, callback, state);
        timer.Track(dueTime, period);
        timer.Inner = base.CreateTimer(static s => ((CountedTimer)s!).Fire(), timer, dueTime, period);
        return timer;
    }

    private void SetArmed(CountedTimer timer, bool armed)
    {
        lock (_armed)
        {
            _ = armed ? _armed.Add(timer) : _armed.Remove(timer);
        }
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public void Track(TimeSpan dueTime, TimeSpan period)
        {
            _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
            owner.SetArmed(this, dueTime != Timeout.InfiniteTimeSpan);
        }

        public void Fire()
        {
            Interlocked.Increment(ref owner._firings);
            if (!_periodic)
            {
                owner.SetArmed(this, false); // before the callback, which may re-arm it
            }

            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Track(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            owner.SetArmed(this, false);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
