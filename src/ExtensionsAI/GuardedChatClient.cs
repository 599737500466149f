using System.Runtime.CompilerServices;
using AgentQuotas.Guard;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

/// <summary>
/// A chat client that puts every model turn under the current <see cref="AgentRun"/>: each turn counts as
/// an iteration (refused past the run's cap, so an agent loop cannot run away), token usage is charged as
/// cost in a configurable category, and once the run may make no more tool calls the turn is answered
/// without tools (they are withheld and the model is told why) instead of failing.
/// </summary>
/// <remarks>
/// Fails closed: a turn outside any run throws <see cref="InvalidOperationException"/>. A refused turn
/// throws <see cref="QuotaExceededException"/> with the reason and, for an empty token bucket, when to retry.
/// Place it beneath the function-invoking client (as <c>builder.UseAgentQuotas()</c> does) so each round trip to the
/// model counts as a turn; the last turn the run's iteration cap allows is then answered without tools, so the loop
/// ends with an answer instead of a refused turn.
/// Inside a model call that the generated code of an <see cref="AgentLoopAttribute"/> method has already
/// counted (<see cref="ModelTurn.Current"/>), the first round trip is not counted again, and with a
/// <see cref="GuardedChatClientOptions.TokenCategory"/> this client charges the tokens instead of the loop.
/// </remarks>
public sealed class GuardedChatClient : DelegatingChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key of the <see cref="ChatTurnDegradation"/> of a degraded turn.</summary>
    public const string DegradationKey = "agentquotas.degradation";

    private readonly GuardedChatClientOptions _options;
    private readonly QuotaTool? _tokens;

    /// <summary>Creates the client.</summary>
    /// <param name="innerClient">The client that talks to the model.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public GuardedChatClient(IChatClient innerClient, GuardedChatClientOptions? options = null)
        : base(innerClient)
    {
        _options = options ?? new GuardedChatClientOptions();
        _options.Validate();
        _tokens = _options.TokenCategory is null ? null : new QuotaTool(_options.ToolName, _options.TokenCategory);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AgentRun run = BeginTurn();
        ChatTurnDegradation? degradation = WithholdToolsIfExhausted(run, ref options);
        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        Charge(run, response.Usage, response.ModelId ?? options?.ModelId);
        if (degradation is not null)
        {
            (response.AdditionalProperties ??= [])[DegradationKey] = degradation;
        }

        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AgentRun run = BeginTurn();
        ChatTurnDegradation? degradation = WithholdToolsIfExhausted(run, ref options);
        UsageDetails? usage = null;
        string? model = options?.ModelId;
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                model = update.ModelId ?? model;
                foreach (AIContent content in update.Contents)
                {
                    if (content is UsageContent used)
                    {
                        usage ??= new UsageDetails();
                        usage.Add(used.Details);
                    }
                }

                if (degradation is not null)
                {
                    (update.AdditionalProperties ??= [])[DegradationKey] = degradation;
                    degradation = null; // said once, on the first update
                }

                yield return update;
            }
        }
        finally
        {
            // Tokens streamed before a failure or an early stop were still spent.
            Charge(run, usage, model);
        }
    }

    private AgentRun BeginTurn()
    {
        AgentRun run = AgentRun.RequireCurrent("chat model turn (" + _options.ToolName + ")");

        // A model call in an [AgentLoop] method was counted by its generated interceptor: its first round trip
        // through this client is that same iteration (later ones, made by a function-invoking client, are new).
        ModelTurn? counted = ModelTurn.Current;
        if (_tokens is not null)
        {
            counted?.ChargeTokensElsewhere();
        }

        if (_options.CountIterations && counted?.TryClaimIteration(run) != true)
        {
            QuotaDecision iteration = run.TryBeginIteration();
            if (!iteration.IsAdmitted)
            {
                throw iteration.ToException();
            }
        }

        if (_tokens is not null)
        {
            QuotaDecision budget = run.CheckUsageBudget(_tokens);
            if (!budget.IsAdmitted)
            {
                throw budget.ToException();
            }
        }

        return run;
    }

    // Decides whether this turn must be answered without tools, and why; the tighter limit wins: the run's tool calls,
    // the run's iteration cap (this is the last turn it allows), or the function-invoking client's iteration limit
    // (which strips the tools itself on its last turn; here it is only named).
    private ChatTurnDegradation? WithholdToolsIfExhausted(AgentRun run, ref ChatOptions? options)
    {
        bool functionInvocationLast = RequestTurns.Current?.NextIsFunctionInvocationLast() == true;
        if (!_options.WithholdToolsWhenExhausted)
        {
            return null;
        }

        string? message = null;
        QuotaReason reason = QuotaReason.RunIterationLimit;
        string limit = ChatTurnDegradation.RunIterationLimit;
        if (options?.Tools is { Count: > 0 })
        {
            if (run.RemainingToolCalls is 0)
            {
                message = $"Tools are unavailable for this turn: agent run {run.Id} has used all the tool calls its budget allows. " +
                    "Answer with the information already in the conversation, and say that further tool use needs a new request.";
                reason = QuotaReason.RunToolCallLimit;
                limit = ChatTurnDegradation.RunToolCallLimit;
            }
            else if (_options.CountIterations && run.RemainingIterations is 0)
            {
                message = $"Tools are unavailable for this turn: it is the last model turn agent run {run.Id} allows ({run.IterationCap} iterations). " +
                    "Answer with the information already in the conversation, and say that further tool use needs a new request.";
            }
        }

        if (message is null)
        {
            return functionInvocationLast
                ? new ChatTurnDegradation(run.Id, 0,
                    $"The function-invoking client reached its MaximumIterationsPerRequest ({RequestTurns.Current!.MaximumIterations}) before agent run {run.Id}'s caps, so this turn was answered without tools.",
                    QuotaReason.RunIterationLimit, ChatTurnDegradation.MaximumIterationsPerRequest)
                : null;
        }

        ChatOptions reduced = options!.Clone();
        int withheld = reduced.Tools!.Count;
        reduced.Tools = null;
        reduced.ToolMode = ChatToolMode.None;
        reduced.Instructions = string.IsNullOrEmpty(reduced.Instructions) ? message : reduced.Instructions + "\n\n" + message;
        options = reduced;
        return new ChatTurnDegradation(run.Id, withheld, message, reason, limit);
    }

    // The model as the client reported it keys the per-model token and cost counters.
    private void Charge(AgentRun run, UsageDetails? usage, string? model)
    {
        if (_tokens is null || usage is null || run.IsDisposed)
        {
            return;
        }

        double cost = _options.CostOf(usage);
        if (cost > 0)
        {
            run.RecordUsage(_tokens, cost, model, ModelTokenUsage.From(usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));
        }
    }
}
