using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace AgentQuotas.Guard;

/// <summary>
/// The capped run of one <see cref="AgentLoopAttribute"/> method, as the generated code uses it: the
/// interceptor around calls to the method opens it (<see cref="BeginScope"/>), and the interceptors around
/// the model calls written in the method's body count each call as an iteration of it and charge its
/// tokens (<see cref="InvokeAsync"/>, <see cref="InvokeStreaming"/>). Not meant to be called by hand.
/// </summary>
/// <remarks>
/// <para>
/// A loop's run is recognised by its name and caps. When the method is invoked where no interceptor
/// wraps it (a framework calls it, or reflection), the first model call in its body finds no run of the
/// loop in its async flow and opens one, a child of the current run, and makes it current. The model-call
/// interceptor is an ordinary (non-async) method, so the new current run belongs to the async context of
/// the loop method's invocation: the method's async builder restores the caller's context when the method
/// returns, so the next invocation opens a run of its own, and the caller never sees the loop's run.
/// </para>
/// <para>
/// Model calls made inside a lambda or local function of the loop method (<c>nested</c>) cannot open the
/// run for the whole invocation (a lambda's async context ends with the lambda), so they only find it: if
/// the method was not entered through an interceptor and made no model call in its own body first, such a
/// call fails closed.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AgentLoopGuard
{
    private readonly QuotaTool? _tokens;

    /// <summary>Describes one loop method's caps and token charging.</summary>
    /// <param name="name">The loop method (<c>Type.Method</c>), the child run's name.</param>
    /// <param name="limits">The loop's caps (from the attribute, <see cref="RunLimits.FromAgentLoop"/>).</param>
    /// <param name="tokenCategory">The category that pays for model tokens, or <see langword="null"/> to not charge tokens.</param>
    /// <param name="inputTokenCost">Cost units per input token; finite and zero or more.</param>
    /// <param name="outputTokenCost">Cost units per output token; finite and zero or more.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public AgentLoopGuard(string name, RunLimits limits, string? tokenCategory = null, double inputTokenCost = 1, double outputTokenCost = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        if (tokenCategory is not null && string.IsNullOrWhiteSpace(tokenCategory))
        {
            throw new ArgumentException("TokenCategory must be null (no token charge) or a category name.", nameof(tokenCategory));
        }

        if (!double.IsFinite(inputTokenCost) || inputTokenCost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputTokenCost), inputTokenCost, "InputTokenCost must be a finite number, zero or more.");
        }

        if (!double.IsFinite(outputTokenCost) || outputTokenCost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputTokenCost), outputTokenCost, "OutputTokenCost must be a finite number, zero or more.");
        }

        Name = name;
        Limits = limits;
        TokenCategory = tokenCategory;
        InputTokenCost = inputTokenCost;
        OutputTokenCost = outputTokenCost;
        _tokens = tokenCategory is null ? null : new QuotaTool(name + " (model tokens)", tokenCategory);
    }

    /// <summary>The loop method, <c>Type.Method</c>.</summary>
    public string Name { get; }

    /// <summary>The loop's caps.</summary>
    public RunLimits Limits { get; }

    /// <summary>The category that pays for model tokens, or <see langword="null"/>.</summary>
    public string? TokenCategory { get; }

    /// <summary>Cost units per input token.</summary>
    public double InputTokenCost { get; }

    /// <summary>Cost units per output token.</summary>
    public double OutputTokenCost { get; }

    /// <summary>The run of this loop in the current async flow (the current run or an ancestor), or <see langword="null"/>.</summary>
    public AgentRun? FindRun()
    {
        for (AgentRun? run = AgentRun.Current; run is not null; run = run.Parent)
        {
            if (!run.IsDisposed && string.Equals(run.Name, Name, StringComparison.Ordinal) && Equals(run.Limits, Limits))
            {
                return run;
            }
        }

        return null;
    }

    /// <summary>
    /// Opens the loop's run for a call of the loop method, unless the flow is already inside it (a
    /// recursive call shares its caller's caps).
    /// </summary>
    /// <returns>The run opened (dispose it when the call ends), or <see langword="null"/> when none was needed.</returns>
    /// <exception cref="InvalidOperationException">There is no current run.</exception>
    public AgentRun? BeginScope() =>
        FindRun() is null ? AgentRun.RequireCurrent(Name).BeginChild(Limits, Name) : null;

    /// <summary>
    /// Runs one model call of the loop: finds (or, in the method's own body, opens) the loop's run, counts
    /// an iteration, checks the token budget, makes the call with <see cref="ModelTurn.Current"/> set, and
    /// charges the reported tokens when it completes.
    /// </summary>
    /// <typeparam name="TState">The call's receiver and arguments.</typeparam>
    /// <typeparam name="T">The response type.</typeparam>
    /// <param name="nested">Whether the call is written in a lambda or local function of the loop method.</param>
    /// <param name="state">The call's receiver and arguments.</param>
    /// <param name="call">Makes the original call.</param>
    /// <param name="usage">Reads the tokens from the response, or <see langword="null"/> when the response reports none.</param>
    /// <returns>The call's task; a task faulted with the refusal when the loop's caps or budget refuse the call, or outside any run.</returns>
    public Task<T> InvokeAsync<TState, T>(bool nested, TState state, Func<TState, Task<T>> call, Func<T, ModelTokenUsage>? usage)
    {
        ArgumentNullException.ThrowIfNull(call);
        ModelTurn turn;
        try
        {
            turn = BeginTurn(Enter(nested));
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }

        Task<T> task;
        ModelTurn? previous = ModelTurn.Enter(turn);
        try
        {
            task = call(state);
        }
        finally
        {
            ModelTurn.Exit(previous);
        }

        if (_tokens is null || usage is null)
        {
            return task;
        }

        if (task.IsCompletedSuccessfully)
        {
            Charge(turn, usage(task.Result));
            return task;
        }

        return ChargeWhenDoneAsync(turn, task, usage);
    }

    /// <summary>
    /// Runs one streaming model call of the loop: finds (or opens) the loop's run at once, then, when the
    /// stream is first read, counts an iteration and checks the token budget; the tokens reported by the
    /// updates are charged when the stream ends, fails or is abandoned.
    /// </summary>
    /// <typeparam name="TState">The call's receiver and arguments.</typeparam>
    /// <typeparam name="T">The update type.</typeparam>
    /// <param name="nested">Whether the call is written in a lambda or local function of the loop method.</param>
    /// <param name="state">The call's receiver and arguments.</param>
    /// <param name="call">Makes the original call.</param>
    /// <param name="usage">Reads the tokens an update reports, or <see langword="null"/> when updates report none.</param>
    /// <returns>The updates; reading them throws the refusal when the loop's caps or budget refuse the call, or outside any run.</returns>
    public IAsyncEnumerable<T> InvokeStreaming<TState, T>(bool nested, TState state, Func<TState, IAsyncEnumerable<T>> call, Func<T, ModelTokenUsage>? usage)
    {
        ArgumentNullException.ThrowIfNull(call);
        AgentRun run;
        try
        {
            run = Enter(nested);
        }
        catch (Exception e)
        {
            return FailAsync<T>(e);
        }

        return StreamAsync(run, state, call, usage);
    }

    private AgentRun Enter(bool nested)
    {
        if (FindRun() is AgentRun found)
        {
            return found;
        }

        AgentRun current = AgentRun.RequireCurrent("the model call in [AgentLoop] method " + Name);
        if (nested)
        {
            throw new InvalidOperationException(
                $"A model call in a lambda or local function of [AgentLoop] method {Name} ran outside the method's capped run: " +
                "the method was not entered through a generated interceptor (a framework or reflection invoked it) and made no model call " +
                "in its own body before this one, so no cap of the loop is in force and the call is refused. Call the method directly from code " +
                "built with AgentQuotas, make a model call in the method's body first, or move this call out of the lambda.");
        }

        return current.BeginChild(Limits, Name);
    }

    private ModelTurn BeginTurn(AgentRun run)
    {
        QuotaDecision iteration = run.TryBeginIteration();
        if (!iteration.IsAdmitted)
        {
            throw iteration.ToException();
        }

        if (_tokens is not null)
        {
            QuotaDecision budget = run.CheckUsageBudget(_tokens);
            if (!budget.IsAdmitted)
            {
                throw budget.ToException();
            }
        }

        return new ModelTurn(run);
    }

    private void Charge(ModelTurn turn, ModelTokenUsage used)
    {
        if (_tokens is null || used.IsEmpty || turn.TokensChargedElsewhere || turn.Run.IsDisposed)
        {
            return;
        }

        double cost = used.Cost(InputTokenCost, OutputTokenCost);
        if (cost > 0)
        {
            turn.Run.RecordUsage(_tokens, cost);
        }
    }

    private async Task<T> ChargeWhenDoneAsync<T>(ModelTurn turn, Task<T> task, Func<T, ModelTokenUsage> usage)
    {
        T result = await task.ConfigureAwait(false);
        Charge(turn, usage(result));
        return result;
    }

    private async IAsyncEnumerable<T> StreamAsync<TState, T>(
        AgentRun run, TState state, Func<TState, IAsyncEnumerable<T>> call, Func<T, ModelTokenUsage>? usage,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ModelTurn turn = BeginTurn(run);
        IAsyncEnumerator<T> enumerator;
        ModelTurn? previous = ModelTurn.Enter(turn);
        try
        {
            enumerator = call(state).GetAsyncEnumerator(cancellationToken);
        }
        finally
        {
            ModelTurn.Exit(previous);
        }

        ModelTokenUsage used = default;
        try
        {
            while (true)
            {
                // The inner stream runs its code inside MoveNextAsync: that is where it must see the turn.
                ValueTask<bool> next;
                previous = ModelTurn.Enter(turn);
                try
                {
                    next = enumerator.MoveNextAsync();
                }
                finally
                {
                    ModelTurn.Exit(previous);
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                T update = enumerator.Current;
                if (usage is not null && _tokens is not null)
                {
                    used += usage(update);
                }

                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);

            // Tokens streamed before a failure or an early stop were still spent.
            Charge(turn, used);
        }
    }

    private static async IAsyncEnumerable<T> FailAsync<T>(Exception exception)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        ExceptionDispatchInfo.Throw(exception);
        yield break;
    }
}
