namespace AgentQuotas.Deferred;

/// <summary>
/// The caller's handle on a deferred job: its id (keep it to find the job again, from any host sharing the store),
/// its state now (<see cref="PollAsync"/>), and a bounded wait for its end (<see cref="WaitAsync"/>).
/// </summary>
public sealed class DeferredJobHandle
{
    private readonly IDeferredJobStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;

    internal DeferredJobHandle(Guid id, IDeferredJobStore store, TimeProvider time, TimeSpan pollInterval)
    {
        Id = id;
        _store = store;
        _time = time;
        _pollInterval = pollInterval;
    }

    /// <summary>The job's id.</summary>
    public Guid Id { get; }

    /// <summary>Reads the job as the store holds it now.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The job.</returns>
    /// <exception cref="InvalidOperationException">The store has no such job (another store, or it was removed).</exception>
    public async ValueTask<DeferredJob> PollAsync(CancellationToken cancellationToken = default) =>
        await _store.GetAsync(Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The deferred job store holds no job {Id}.");

    /// <summary>Waits until the job has finished (succeeded or failed), polling the store, for at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The longest wait: positive and finite (no wait without a bound).</param>
    /// <param name="cancellationToken">Cancels the wait (not the job).</param>
    /// <returns>The finished job.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive or not finite.</exception>
    /// <exception cref="TimeoutException">The job had not finished when <paramref name="timeout"/> passed (it goes on; wait or poll again).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DeferredJob> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan || timeout > DeferredJobRunnerOptions.MaxWait)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                "The wait for a deferred job must be positive and at most " + DeferredJobRunnerOptions.MaxWait.ToString("c", System.Globalization.CultureInfo.InvariantCulture) + ": no wait without a bound.");
        }

        DateTimeOffset deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            DeferredJob job = await PollAsync(cancellationToken).ConfigureAwait(false);
            if (job.IsFinished)
            {
                return job;
            }

            TimeSpan left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"Deferred job {Id} ({job.Kind}) had not finished after {timeout:c}; it is {job.State} after {job.Attempts} claim(s). Poll or wait again.");
            }

            await Task.Delay(left < _pollInterval ? left : _pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => "DeferredJob " + Id.ToString();
}
