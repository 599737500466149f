using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using AgentQuotas.Tools;

namespace AgentQuotas.Guard;

/// <summary>
/// The guard of one intercepted tool call, shared by every interceptor the AgentQuotas generator writes: an
/// interceptor is one line that hands the call's arguments (as one state value, usually a value tuple)
/// and static lambdas that call the tool, read the actual cost and call the fallback to one of these methods.
/// Not meant to be called by hand (use <see cref="AgentRun.AcquireAsync(QuotaTool, double, CancellationToken)"/>
/// and <see cref="QuotaTicket"/> directly instead).
/// </summary>
/// <remarks>
/// <para>
/// Each method does what the generator used to spell out per tool, in the same order: a call a framework guard
/// already admitted for the tool runs as it is (<see cref="AdmittedToolCall.TryPassThrough(QuotaTool)"/>); otherwise
/// the current run is required (<see cref="AgentRun.RequireCurrent(string)"/>), the cost is
/// the fixed <c>cost</c> or, when <c>estimate</c> is given, what it returns for the arguments, and the call acquires;
/// an admitted call runs and completes its ticket (with the result's actual cost) or fails it when the tool throws or its
/// task faults; a denied call is served by the fallback when the ticket's mode is
/// <see cref="DegradationMode.DraftOnly"/> and there is one, and refused with
/// <see cref="ToolGuard.Denied(in QuotaTicket)"/> otherwise. The awaitable forms report a missing run, a throwing
/// estimator and a refusal through the returned task, and finish the acquire asynchronously only when the gate
/// cannot decide at once.
/// </para>
/// <para>
/// An admitted call allocates nothing here when the lambdas are static (the compiler caches their delegates) and the
/// tool's task has completed: the arguments travel by value and the task is handed back as it is.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GuardedCall
{
    /// <summary>Guards a synchronous tool call that returns a value.</summary>
    /// <typeparam name="TState">The call's arguments (receiver first for an instance method).</typeparam>
    /// <typeparam name="TResult">The tool's result type.</typeparam>
    /// <param name="tool">The tool.</param>
    /// <param name="caller">The guarded method, named when there is no run.</param>
    /// <param name="cost">The fixed cost, used when <paramref name="estimate"/> is <see langword="null"/>.</param>
    /// <param name="estimate">Computes the cost from the arguments, or <see langword="null"/> for <paramref name="cost"/>.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="actualCost">Reads the actual cost from the result, or <see langword="null"/> to keep the planned cost.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/> for none.</param>
    /// <returns>The tool's (or the fallback's) result.</returns>
    public static TResult Value<TState, TResult>(
        QuotaTool tool, string caller, double cost, Func<TState, double>? estimate, TState state,
        Func<TState, TResult> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, TResult>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (AdmittedToolCall.TryPassThrough(tool))
        {
            return call(state);
        }

        AgentRun run = AgentRun.RequireCurrent(caller);
        QuotaTicket ticket = run.Acquire(tool, estimate is null ? cost : estimate(state));
        return RunValue(ticket, state, call, actualCost, fallback);
    }

    /// <summary>Runs a synchronous tool call that returns a value on an acquired ticket (see <see cref="Value{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The tool's result type.</typeparam>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="actualCost">Reads the actual cost from the result, or <see langword="null"/>.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>The tool's (or the fallback's) result.</returns>
    public static TResult RunValue<TState, TResult>(
        in QuotaTicket ticket, TState state, Func<TState, TResult> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, TResult>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!ticket.IsAdmitted)
        {
            if (fallback is not null && ticket.Mode == DegradationMode.DraftOnly)
            {
                return fallback(ToolGuard.Degrade(ticket), state);
            }

            throw ToolGuard.Denied(ticket);
        }

        TResult result;
        try
        {
            result = call(state);
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            throw;
        }

        ticket.Complete(actualCost?.Invoke(result));
        return result;
    }

    /// <summary>Guards a synchronous tool call that returns nothing (see <see cref="Value{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="tool">The tool.</param>
    /// <param name="caller">The guarded method, named when there is no run.</param>
    /// <param name="cost">The fixed cost, used when <paramref name="estimate"/> is <see langword="null"/>.</param>
    /// <param name="estimate">Computes the cost from the arguments, or <see langword="null"/>.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    public static void Void<TState>(
        QuotaTool tool, string caller, double cost, Func<TState, double>? estimate, TState state,
        Action<TState> call, Action<DegradedCall, TState>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (AdmittedToolCall.TryPassThrough(tool))
        {
            call(state);
            return;
        }

        AgentRun run = AgentRun.RequireCurrent(caller);
        QuotaTicket ticket = run.Acquire(tool, estimate is null ? cost : estimate(state));
        RunVoid(ticket, state, call, fallback);
    }

    /// <summary>Runs a synchronous tool call that returns nothing on an acquired ticket (see <see cref="Void{TState}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    public static void RunVoid<TState>(in QuotaTicket ticket, TState state, Action<TState> call, Action<DegradedCall, TState>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!ticket.IsAdmitted)
        {
            if (fallback is not null && ticket.Mode == DegradationMode.DraftOnly)
            {
                fallback(ToolGuard.Degrade(ticket), state);
                return;
            }

            throw ToolGuard.Denied(ticket);
        }

        try
        {
            call(state);
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            throw;
        }

        ticket.Complete();
    }

    /// <summary>Guards a tool call that returns a <see cref="System.Threading.Tasks.Task"/> (see <see cref="Value{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="tool">The tool.</param>
    /// <param name="caller">The guarded method, named when there is no run.</param>
    /// <param name="cost">The fixed cost, used when <paramref name="estimate"/> is <see langword="null"/>.</param>
    /// <param name="estimate">Computes the cost from the arguments, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for admission (the tool's own token, or none).</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static Task Task<TState>(
        QuotaTool tool, string caller, double cost, Func<TState, double>? estimate, CancellationToken cancellationToken, TState state,
        Func<TState, Task> call, Func<DegradedCall, TState, Task>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (AdmittedToolCall.TryPassThrough(tool))
        {
            return call(state);
        }

        if (!TryStartAcquire(tool, caller, cost, estimate, state, cancellationToken, out ValueTask<QuotaTicket> pending, out Exception? error))
        {
            return System.Threading.Tasks.Task.FromException(error);
        }

        return pending.IsCompletedSuccessfully ? RunTask(pending.Result, state, call, fallback) : TaskAfterAsync(pending, state, call, fallback);
    }

    /// <summary>Runs a tool call that returns a <see cref="System.Threading.Tasks.Task"/> on an acquired ticket (see <see cref="Task{TState}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static Task RunTask<TState>(in QuotaTicket ticket, TState state, Func<TState, Task> call, Func<DegradedCall, TState, Task>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (ticket.IsAdmitted)
        {
            Task task;
            try
            {
                task = call(state);
            }
            catch (Exception e)
            {
                ticket.Fail(e);
                throw;
            }

            return ToolGuard.Track(ticket, task);
        }

        if (fallback is not null && ticket.Mode == DegradationMode.DraftOnly)
        {
            return fallback(ToolGuard.Degrade(ticket), state);
        }

        return System.Threading.Tasks.Task.FromException(ToolGuard.Denied(ticket));
    }

    /// <summary>Guards a tool call that returns a <see cref="Task{TResult}"/> (see <see cref="Value{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The tool's result type.</typeparam>
    /// <param name="tool">The tool.</param>
    /// <param name="caller">The guarded method, named when there is no run.</param>
    /// <param name="cost">The fixed cost, used when <paramref name="estimate"/> is <see langword="null"/>.</param>
    /// <param name="estimate">Computes the cost from the arguments, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for admission (the tool's own token, or none).</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="actualCost">Reads the actual cost from the result, or <see langword="null"/>.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static Task<TResult> TaskOf<TState, TResult>(
        QuotaTool tool, string caller, double cost, Func<TState, double>? estimate, CancellationToken cancellationToken, TState state,
        Func<TState, Task<TResult>> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, Task<TResult>>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (AdmittedToolCall.TryPassThrough(tool))
        {
            return call(state);
        }

        if (!TryStartAcquire(tool, caller, cost, estimate, state, cancellationToken, out ValueTask<QuotaTicket> pending, out Exception? error))
        {
            return System.Threading.Tasks.Task.FromException<TResult>(error);
        }

        return pending.IsCompletedSuccessfully
            ? RunTaskOf(pending.Result, state, call, actualCost, fallback)
            : TaskOfAfterAsync(pending, state, call, actualCost, fallback);
    }

    /// <summary>Runs a tool call that returns a <see cref="Task{TResult}"/> on an acquired ticket (see <see cref="TaskOf{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The tool's result type.</typeparam>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="actualCost">Reads the actual cost from the result, or <see langword="null"/>.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static Task<TResult> RunTaskOf<TState, TResult>(
        in QuotaTicket ticket, TState state, Func<TState, Task<TResult>> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, Task<TResult>>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (ticket.IsAdmitted)
        {
            Task<TResult> task;
            try
            {
                task = call(state);
            }
            catch (Exception e)
            {
                ticket.Fail(e);
                throw;
            }

            return ToolGuard.Track(ticket, task, actualCost);
        }

        if (fallback is not null && ticket.Mode == DegradationMode.DraftOnly)
        {
            return fallback(ToolGuard.Degrade(ticket), state);
        }

        return System.Threading.Tasks.Task.FromException<TResult>(ToolGuard.Denied(ticket));
    }

    /// <summary>Guards a tool call that returns a <see cref="System.Threading.Tasks.ValueTask"/> (see <see cref="Value{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="tool">The tool.</param>
    /// <param name="caller">The guarded method, named when there is no run.</param>
    /// <param name="cost">The fixed cost, used when <paramref name="estimate"/> is <see langword="null"/>.</param>
    /// <param name="estimate">Computes the cost from the arguments, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for admission (the tool's own token, or none).</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static ValueTask ValueTask<TState>(
        QuotaTool tool, string caller, double cost, Func<TState, double>? estimate, CancellationToken cancellationToken, TState state,
        Func<TState, ValueTask> call, Func<DegradedCall, TState, ValueTask>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (AdmittedToolCall.TryPassThrough(tool))
        {
            return call(state);
        }

        if (!TryStartAcquire(tool, caller, cost, estimate, state, cancellationToken, out ValueTask<QuotaTicket> pending, out Exception? error))
        {
            return System.Threading.Tasks.ValueTask.FromException(error);
        }

        return pending.IsCompletedSuccessfully ? RunValueTask(pending.Result, state, call, fallback) : ValueTaskAfterAsync(pending, state, call, fallback);
    }

    /// <summary>Runs a tool call that returns a <see cref="System.Threading.Tasks.ValueTask"/> on an acquired ticket (see <see cref="ValueTask{TState}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static ValueTask RunValueTask<TState>(in QuotaTicket ticket, TState state, Func<TState, ValueTask> call, Func<DegradedCall, TState, ValueTask>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (ticket.IsAdmitted)
        {
            ValueTask task;
            try
            {
                task = call(state);
            }
            catch (Exception e)
            {
                ticket.Fail(e);
                throw;
            }

            return ToolGuard.Track(ticket, task);
        }

        if (fallback is not null && ticket.Mode == DegradationMode.DraftOnly)
        {
            return fallback(ToolGuard.Degrade(ticket), state);
        }

        return System.Threading.Tasks.ValueTask.FromException(ToolGuard.Denied(ticket));
    }

    /// <summary>Guards a tool call that returns a <see cref="ValueTask{TResult}"/> (see <see cref="Value{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The tool's result type.</typeparam>
    /// <param name="tool">The tool.</param>
    /// <param name="caller">The guarded method, named when there is no run.</param>
    /// <param name="cost">The fixed cost, used when <paramref name="estimate"/> is <see langword="null"/>.</param>
    /// <param name="estimate">Computes the cost from the arguments, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for admission (the tool's own token, or none).</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="actualCost">Reads the actual cost from the result, or <see langword="null"/>.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static ValueTask<TResult> ValueTaskOf<TState, TResult>(
        QuotaTool tool, string caller, double cost, Func<TState, double>? estimate, CancellationToken cancellationToken, TState state,
        Func<TState, ValueTask<TResult>> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, ValueTask<TResult>>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (AdmittedToolCall.TryPassThrough(tool))
        {
            return call(state);
        }

        if (!TryStartAcquire(tool, caller, cost, estimate, state, cancellationToken, out ValueTask<QuotaTicket> pending, out Exception? error))
        {
            return System.Threading.Tasks.ValueTask.FromException<TResult>(error);
        }

        return pending.IsCompletedSuccessfully
            ? RunValueTaskOf(pending.Result, state, call, actualCost, fallback)
            : ValueTaskOfAfterAsync(pending, state, call, actualCost, fallback);
    }

    /// <summary>Runs a tool call that returns a <see cref="ValueTask{TResult}"/> on an acquired ticket (see <see cref="ValueTaskOf{TState, TResult}"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The tool's result type.</typeparam>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">Calls the tool.</param>
    /// <param name="actualCost">Reads the actual cost from the result, or <see langword="null"/>.</param>
    /// <param name="fallback">Serves a call denied with <see cref="DegradationMode.DraftOnly"/>, or <see langword="null"/>.</param>
    /// <returns>A task with the tool's (or the fallback's) outcome.</returns>
    public static ValueTask<TResult> RunValueTaskOf<TState, TResult>(
        in QuotaTicket ticket, TState state, Func<TState, ValueTask<TResult>> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, ValueTask<TResult>>? fallback)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (ticket.IsAdmitted)
        {
            ValueTask<TResult> task;
            try
            {
                task = call(state);
            }
            catch (Exception e)
            {
                ticket.Fail(e);
                throw;
            }

            return ToolGuard.Track(ticket, task, actualCost);
        }

        if (fallback is not null && ticket.Mode == DegradationMode.DraftOnly)
        {
            return fallback(ToolGuard.Degrade(ticket), state);
        }

        return System.Threading.Tasks.ValueTask.FromException<TResult>(ToolGuard.Denied(ticket));
    }

    // The awaitable shapes' start: the current run acquires the fixed or estimated cost. A missing run or a throwing
    // estimator is handed back as error, for the caller to report through the task it returns.
    private static bool TryStartAcquire<TState>(
        QuotaTool tool, string caller, double cost, Func<TState, double>? estimate, TState state, CancellationToken cancellationToken,
        out ValueTask<QuotaTicket> pending, [NotNullWhen(false)] out Exception? error)
    {
        try
        {
            AgentRun run = AgentRun.RequireCurrent(caller);
            pending = run.AcquireAsync(tool, estimate is null ? cost : estimate(state), cancellationToken);
            error = null;
            return true;
        }
        catch (Exception e)
        {
            pending = default;
            error = e;
            return false;
        }
    }

    // The gate could not decide at once (an approval, a remote store): wait for the ticket, then run as above.
    private static async Task TaskAfterAsync<TState>(ValueTask<QuotaTicket> pending, TState state, Func<TState, Task> call, Func<DegradedCall, TState, Task>? fallback)
    {
        QuotaTicket ticket = await pending.ConfigureAwait(false);
        await RunTask(ticket, state, call, fallback).ConfigureAwait(false);
    }

    private static async Task<TResult> TaskOfAfterAsync<TState, TResult>(
        ValueTask<QuotaTicket> pending, TState state, Func<TState, Task<TResult>> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, Task<TResult>>? fallback)
    {
        QuotaTicket ticket = await pending.ConfigureAwait(false);
        return await RunTaskOf(ticket, state, call, actualCost, fallback).ConfigureAwait(false);
    }

    private static async ValueTask ValueTaskAfterAsync<TState>(ValueTask<QuotaTicket> pending, TState state, Func<TState, ValueTask> call, Func<DegradedCall, TState, ValueTask>? fallback)
    {
        QuotaTicket ticket = await pending.ConfigureAwait(false);
        await RunValueTask(ticket, state, call, fallback).ConfigureAwait(false);
    }

    private static async ValueTask<TResult> ValueTaskOfAfterAsync<TState, TResult>(
        ValueTask<QuotaTicket> pending, TState state, Func<TState, ValueTask<TResult>> call, Func<TResult, double?>? actualCost, Func<DegradedCall, TState, ValueTask<TResult>>? fallback)
    {
        QuotaTicket ticket = await pending.ConfigureAwait(false);
        return await RunValueTaskOf(ticket, state, call, actualCost, fallback).ConfigureAwait(false);
    }
}
