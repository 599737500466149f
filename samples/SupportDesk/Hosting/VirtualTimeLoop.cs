namespace SupportDesk.Hosting;

/// <summary>
/// Runs asynchronous code on one thread against a <see cref="VirtualClock"/>: the main task runs until it waits on
/// the clock; then the clock fires its next timer (moving time forward), whose continuations run inline on this
/// thread until they wait again, and so on until the main task completes. There is no
/// <see cref="SynchronizationContext"/> (under one, .NET would send <c>ConfigureAwait(false)</c> continuations to the
/// thread pool), and the gate's <c>InlineQueueCompletions</c> makes queue grants run here too, so a run is a
/// deterministic function of its inputs.
/// </summary>
public sealed class VirtualTimeLoop
{
    /// <summary>Creates a loop with a clock that starts at <paramref name="start"/>.</summary>
    /// <param name="start">The wall-clock time the run starts at.</param>
    public VirtualTimeLoop(DateTimeOffset start)
    {
        Clock = new VirtualClock(start);
    }

    /// <summary>The loop's clock.</summary>
    public VirtualClock Clock { get; }

    /// <summary>Runs <paramref name="main"/> to completion on the calling thread and returns its result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="main">The work; it must wait only on this loop's clock, never on real time or other threads.</param>
    /// <param name="limit">The most virtual time the work may take.</param>
    /// <param name="pace">
    /// Virtual seconds per second of wall time, so a person can watch (30 plays three minutes in six seconds); <see langword="null"/>
    /// to run as fast as possible.
    /// </param>
    /// <exception cref="InvalidOperationException">
    /// The work is stuck (it has not finished within <paramref name="limit"/>, or nothing is scheduled), or some of it
    /// ran on another thread, which would make the run non-deterministic.
    /// </exception>
    public T Run<T>(Func<Task<T>> main, TimeSpan limit, double? pace = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        if (pace is double p && (!double.IsFinite(p) || p <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(pace), pace, "The pace must be a positive number of virtual seconds per second.");
        }

        var wall = System.Diagnostics.Stopwatch.StartNew();
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        Clock.Own();
        try
        {
            Task<T> task = main();
            while (!task.IsCompleted)
            {
                if (pace is double speed && Clock.NextDue() is TimeSpan due && due.TotalSeconds / speed > wall.Elapsed.TotalSeconds)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(Math.Min((due.TotalSeconds / speed) - wall.Elapsed.TotalSeconds, 0.05)));
                    continue;
                }

                if (Clock.Elapsed > limit || !Clock.FireNext())
                {
                    throw new InvalidOperationException(
                        $"The run is stuck at {Clock.Elapsed}: it has not finished and {(Clock.Elapsed > limit ? "is past its limit of " + limit : "nothing is scheduled on the virtual clock")}. " +
                        "Something waits on real time or on another thread.");
                }
            }

            if (Clock.ForeignCalls > 0)
            {
                throw new InvalidOperationException(
                    $"{Clock.ForeignCalls} timers were set from other threads, so this run is not deterministic. Work on the virtual clock must not leave " +
                    "the loop's thread (the gate needs QuotaGateOptions.InlineQueueCompletions; no Task.Run or Task.Yield).");
            }

            return task.GetAwaiter().GetResult();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }
}
