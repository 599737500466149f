namespace SupportDesk.Hosting;

/// <summary>
/// <c>Task.Delay</c> on a <see cref="TimeProvider"/>, whose completion, cancellation included, runs its continuations
/// inline on the thread that fires the timer or cancels the token. <c>Task.Delay(delay, timeProvider, token)</c>
/// itself finishes a cancelled delay on the thread pool, which would take work off a <see cref="VirtualTimeLoop"/>
/// and make a run non-deterministic. On <see cref="TimeProvider.System"/> the two behave alike.
/// </summary>
public static class TimeProviderDelay
{
    /// <summary>Completes after <paramref name="delay"/> on <paramref name="time"/>'s clock, or is cancelled by <paramref name="cancellationToken"/>.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="delay">How long; zero or more.</param>
    /// <param name="cancellationToken">Cancels the delay.</param>
    public static Task DelayAsync(this TimeProvider time, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay == TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        var pending = new PendingDelay();
        pending.Start(time, delay, cancellationToken);
        return pending.Task;
    }

    // Continuations run synchronously (no RunContinuationsAsynchronously), on the completing thread.
    private sealed class PendingDelay : TaskCompletionSource
    {
        private ITimer? _timer;
        private CancellationTokenRegistration _registration;

        public void Start(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
        {
            _timer = time.CreateTimer(static s => ((PendingDelay)s!).Finish(cancelled: null), this, delay, Timeout.InfiniteTimeSpan);
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (s, token) => ((PendingDelay)s!).Finish(token), this);
            }

            if (Task.IsCompleted)
            {
                Release(); // finished while starting
            }
        }

        private void Finish(CancellationToken? cancelled)
        {
            if (cancelled is CancellationToken token ? TrySetCanceled(token) : TrySetResult())
            {
                Release();
            }
        }

        private void Release()
        {
            _timer?.Dispose();
            _registration.Unregister();
        }
    }
}
