using System.ComponentModel;

namespace AgentQuotas.Guard;

/// <summary>
/// Building blocks for the code the AgentQuotas generator writes around guarded calls: ending a ticket
/// when an awaitable call finishes, and serving a denied call from its fallback. Not meant to be called
/// by hand (use <see cref="AgentRun.AcquireAsync(QuotaTool, double, CancellationToken)"/> and <see cref="QuotaTicket"/> directly instead).
/// </summary>
/// <remarks>
/// The admitted path allocates nothing when the tool's task has already completed: the task is handed
/// back as it is. Only a call still running gets a continuation that completes (or fails) the ticket.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ToolGuard
{
    /// <summary>Completes <paramref name="ticket"/> when <paramref name="task"/> succeeds, fails it when it faults or is cancelled.</summary>
    /// <param name="ticket">The admitted call's ticket.</param>
    /// <param name="task">The tool's task.</param>
    /// <returns>A task with the same outcome as <paramref name="task"/>.</returns>
    public static Task Track(in QuotaTicket ticket, Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsCompletedSuccessfully)
        {
            ticket.Complete();
            return task;
        }

        if (task.IsCompleted)
        {
            ticket.Fail(ExceptionOf(task));
            return task;
        }

        return TrackSlowAsync(ticket, task);
    }

    /// <summary>Completes <paramref name="ticket"/> (with the result's actual cost) when <paramref name="task"/> succeeds, fails it otherwise.</summary>
    /// <typeparam name="T">The tool's result type.</typeparam>
    /// <param name="ticket">The admitted call's ticket.</param>
    /// <param name="task">The tool's task.</param>
    /// <param name="actualCost">Reads the actual cost from a result (<see cref="IActualCost"/>), or <see langword="null"/> to keep the planned cost.</param>
    /// <returns>A task with the same outcome as <paramref name="task"/>.</returns>
    public static Task<T> Track<T>(in QuotaTicket ticket, Task<T> task, Func<T, double?>? actualCost)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsCompletedSuccessfully)
        {
            ticket.Complete(actualCost?.Invoke(task.Result));
            return task;
        }

        if (task.IsCompleted)
        {
            ticket.Fail(ExceptionOf(task));
            return task;
        }

        return TrackSlowAsync(ticket, task, actualCost);
    }

    /// <summary>Completes <paramref name="ticket"/> when <paramref name="task"/> succeeds, fails it otherwise.</summary>
    /// <param name="ticket">The admitted call's ticket.</param>
    /// <param name="task">The tool's task.</param>
    /// <returns>A task with the same outcome as <paramref name="task"/>.</returns>
    public static ValueTask Track(in QuotaTicket ticket, ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult(); // consumes a pooled source
            ticket.Complete();
            return default;
        }

        return TrackSlowAsync(ticket, task);
    }

    /// <summary>Completes <paramref name="ticket"/> (with the result's actual cost) when <paramref name="task"/> succeeds, fails it otherwise.</summary>
    /// <typeparam name="T">The tool's result type.</typeparam>
    /// <param name="ticket">The admitted call's ticket.</param>
    /// <param name="task">The tool's task.</param>
    /// <param name="actualCost">Reads the actual cost from a result (<see cref="IActualCost"/>), or <see langword="null"/> to keep the planned cost.</param>
    /// <returns>A task with the same outcome as <paramref name="task"/>.</returns>
    public static ValueTask<T> Track<T>(in QuotaTicket ticket, ValueTask<T> task, Func<T, double?>? actualCost)
    {
        if (task.IsCompletedSuccessfully)
        {
            T result = task.Result;
            ticket.Complete(actualCost?.Invoke(result));
            return new ValueTask<T>(result);
        }

        return TrackSlowAsync(ticket, task, actualCost);
    }

    /// <summary>
    /// Records that a denied call is served by its fallback (on the run and its ancestors, and in the
    /// returned record) and returns the record to hand to the fallback's result.
    /// </summary>
    /// <param name="ticket">The denied call's ticket, whose mode is <see cref="DegradationMode.DraftOnly"/>.</param>
    /// <exception cref="InvalidOperationException">The ticket does not call for the fallback.</exception>
    public static DegradedCall Degrade(in QuotaTicket ticket)
    {
        if (ticket.IsAdmitted || ticket.Mode != DegradationMode.DraftOnly || ticket.Run is null)
        {
            throw new InvalidOperationException("Only a call denied with DegradationMode.DraftOnly is served by its fallback.");
        }

        return ticket.Run.RecordDegradation(ticket.Decision);
    }

    /// <summary>Hands <paramref name="degradation"/> to a fallback result that implements <see cref="IFallbackResult"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="degradation">The degraded call.</param>
    /// <param name="result">The fallback's result.</param>
    /// <returns><paramref name="result"/>.</returns>
    public static T ServedByFallback<T>(DegradedCall degradation, T result)
    {
        if (result is IFallbackResult aware)
        {
            aware.OnServedByFallback(degradation);
        }

        return result;
    }

    /// <summary>Hands <paramref name="degradation"/> to the fallback task's result when it implements <see cref="IFallbackResult"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="degradation">The degraded call.</param>
    /// <param name="task">The fallback's task.</param>
    /// <returns>A task with the fallback's outcome.</returns>
    public static Task<T> ServedByFallback<T>(DegradedCall degradation, Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsCompletedSuccessfully)
        {
            ServedByFallback(degradation, task.Result);
            return task;
        }

        return task.IsCompleted ? task : ServedByFallbackSlowAsync(degradation, task);
    }

    /// <summary>Hands <paramref name="degradation"/> to the fallback task's result when it implements <see cref="IFallbackResult"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="degradation">The degraded call.</param>
    /// <param name="task">The fallback's task.</param>
    /// <returns>A task with the fallback's outcome.</returns>
    public static ValueTask<T> ServedByFallback<T>(DegradedCall degradation, ValueTask<T> task) =>
        task.IsCompletedSuccessfully
            ? new ValueTask<T>(ServedByFallback(degradation, task.Result))
            : ServedByFallbackSlowAsync(degradation, task);

    /// <summary>Reads the actual cost a result reports, without boxing a value-type result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="result">The tool's result; <see langword="null"/> reports nothing.</param>
    /// <returns>The actual cost, or <see langword="null"/> to keep the planned cost.</returns>
    public static double? ActualCostOf<T>(T result)
        where T : IActualCost => result is null ? null : result.ActualCost;

    /// <summary>The exception that reports a denied call nothing could serve.</summary>
    /// <param name="ticket">The denied call's ticket.</param>
    public static QuotaExceededException Denied(in QuotaTicket ticket) => ticket.Decision.ToException();

    private static Exception? ExceptionOf(Task task) =>
        task.IsCanceled ? new OperationCanceledException("The guarded call was cancelled.") : task.Exception?.InnerException ?? task.Exception;

    private static async Task TrackSlowAsync(QuotaTicket ticket, Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            throw;
        }

        ticket.Complete();
    }

    private static async Task<T> TrackSlowAsync<T>(QuotaTicket ticket, Task<T> task, Func<T, double?>? actualCost)
    {
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            throw;
        }

        ticket.Complete(actualCost?.Invoke(result));
        return result;
    }

    private static async ValueTask TrackSlowAsync(QuotaTicket ticket, ValueTask task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            throw;
        }

        ticket.Complete();
    }

    private static async ValueTask<T> TrackSlowAsync<T>(QuotaTicket ticket, ValueTask<T> task, Func<T, double?>? actualCost)
    {
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            throw;
        }

        ticket.Complete(actualCost?.Invoke(result));
        return result;
    }

    private static async Task<T> ServedByFallbackSlowAsync<T>(DegradedCall degradation, Task<T> task) =>
        ServedByFallback(degradation, await task.ConfigureAwait(false));

    private static async ValueTask<T> ServedByFallbackSlowAsync<T>(DegradedCall degradation, ValueTask<T> task) =>
        ServedByFallback(degradation, await task.ConfigureAwait(false));
}
