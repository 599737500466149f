using AgentQuotas.Extensions.AI;
using AgentQuotas.Tools;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Agents.AI;

/// <summary>
/// Agent middleware that puts every run of an <see cref="AIAgent"/> under AgentQuotas: the agent run is an
/// <see cref="AgentRun"/> for the caller's authenticated identity (a child of the caller's current run, or one opened for
/// <see cref="AgentQuotasAgentOptions.IdentityProvider"/>'s identity; fail closed otherwise), every tool call the agent's
/// function-invoking client makes goes through the guard (annotated tools by the registry, others by the policy's
/// <c>tools</c> section, unknown ones refused), and the run's model turns and tokens are counted. Created by
/// <see cref="AgentQuotasAgentBuilderExtensions.UseAgentQuotas"/>.
/// </summary>
/// <remarks>
/// When the agent's chat client was built with <c>UseAgentQuotas()</c> (Microsoft.Extensions.AI), that client already
/// guards the tools and counts each model round trip, so this middleware only scopes the run. Otherwise it hooks the
/// agent's own <see cref="FunctionInvokingChatClient"/> (its <see cref="FunctionInvokingChatClient.FunctionInvoker"/>):
/// the first turn counts when the agent run starts and each further turn when the client hands over a new iteration's
/// calls; a refused turn ends the loop (<see cref="AgentRunCapped"/> says so), and the response's token usage is charged
/// when the run ends. Streaming runs are answered through the non-streaming path (one update per message), so the run
/// scope holds for every tool call.
/// </remarks>
public sealed class AgentQuotasAgent : DelegatingAIAgent
{
    /// <summary>The <c>AdditionalProperties</c> key of an <see cref="AgentRunCapped"/>.</summary>
    public const string CappedKey = "agentquotas.capped";

    private static readonly AsyncLocal<AgentTurns?> CurrentTurns = new();

    private readonly AgentQuotasAgentOptions _options;
    private readonly IServiceProvider _services;
    private readonly FunctionInvokingChatClient? _hooked; // the agent's own client when it is not AgentQuotas'
    private readonly QuotaTool? _tokens;

    internal AgentQuotasAgent(AIAgent innerAgent, AgentQuotasAgentOptions options, IServiceProvider services)
        : base(innerAgent)
    {
        _options = options;
        _services = services;
        if (innerAgent.GetService<AgentQuotasAgent>() is not null)
        {
            throw new InvalidOperationException("UseAgentQuotas() is already in this agent's pipeline; a second one would guard every tool call twice.");
        }

        FunctionInvokingChatClient invoking = innerAgent.GetService<FunctionInvokingChatClient>()
            ?? throw new InvalidOperationException(
                $"UseAgentQuotas() guards the tool calls an agent's FunctionInvokingChatClient makes, and agent '{innerAgent.Name ?? innerAgent.Id}' has none. " +
                "Use a ChatClientAgent (chatClient.AsAIAgent(...)), or build its chat client with UseAgentQuotas().");
        if (invoking is not AgentQuotasFunctionInvokingChatClient)
        {
            Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? previous = invoking.FunctionInvoker;
            invoking.FunctionInvoker = (context, ct) => InvokeFunctionAsync(context, previous, ct);
            _hooked = invoking;
            _tokens = options.Turns.TokenCategory is string category ? new QuotaTool(options.Turns.ToolName, category) : null;
        }
    }

    /// <inheritdoc/>
    protected override async Task<AgentResponse> RunCoreAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        using AgentRun run = OpenRun();
        AgentTurns? turns = _hooked is null ? null : BeginTurns(run);
        AgentTurns? outer = CurrentTurns.Value;
        CurrentTurns.Value = turns;
        try
        {
            AgentResponse response = await InnerAgent.RunAsync(messages, session, options, cancellationToken).ConfigureAwait(false);
            if (turns is not null)
            {
                Charge(run, response.Usage);
                if (turns.Capped is AgentRunCapped capped)
                {
                    (response.AdditionalProperties ??= [])[CappedKey] = capped;
                }
            }

            return response;
        }
        finally
        {
            CurrentTurns.Value = outer;
        }
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(
        IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // An async iterator cannot keep the run current across its yields, so the run is answered whole, then streamed.
        AgentResponse response = await RunCoreAsync(messages, session, options, cancellationToken).ConfigureAwait(false);
        foreach (AgentResponseUpdate update in response.ToAgentResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : base.GetService(serviceType, serviceKey);
    }

    private AgentRun OpenRun()
    {
        string name = Name ?? Id;
        if (AgentRun.Current is { IsDisposed: false } current)
        {
            return current.BeginChild(_options.Limits, "agent " + name);
        }

        if (_options.IdentityProvider is not { } identities)
        {
            throw new InvalidOperationException(
                $"Agent '{name}' is guarded by AgentQuotas and can only run inside an agent run. Open one where the request is authenticated " +
                "('using var run = gate.BeginRun(new AgentIdentity(tenant, principal));'), or set AgentQuotasAgentOptions.IdentityProvider " +
                "to read the authenticated caller. Guarded agents fail closed: no run, no call.");
        }

        AgentIdentity identity = identities(_services)
            ?? throw new InvalidOperationException($"Agent '{name}' was called without an authenticated caller (the identity provider returned none); the run was refused.");
        return _options.Gate!.BeginRun(identity, _options.WorkloadClass, _options.Workflow ?? name, _options.Limits);
    }

    private AgentTurns BeginTurns(AgentRun run)
    {
        if (_options.Turns.CountIterations)
        {
            run.TryBeginIteration().ThrowIfDenied();
        }

        if (_tokens is not null)
        {
            run.CheckUsageBudget(_tokens).ThrowIfDenied();
        }

        return new AgentTurns(run, _hooked!.MaximumIterationsPerRequest);
    }

    private async ValueTask<object?> InvokeFunctionAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? previous, CancellationToken cancellationToken)
    {
        if (CurrentTurns.Value is AgentTurns turns && _options.Turns.CountIterations && turns.OnFunctionCall(context) is QuotaDecision refused)
        {
            context.Terminate = true;   // the run allows no further model turn: end the loop here
            return ToolRefusal.From(refused.ToException());
        }

        return await FunctionGuard.InvokeAsync(context, previous ?? InvokeDirectlyAsync, _options.Registry, cancellationToken).ConfigureAwait(false);
    }

    private static ValueTask<object?> InvokeDirectlyAsync(FunctionInvocationContext context, CancellationToken cancellationToken) =>
        context.Function.InvokeAsync(context.Arguments, cancellationToken);

    private void Charge(AgentRun run, UsageDetails? usage)
    {
        if (_tokens is null || usage is null || run.IsDisposed)
        {
            return;
        }

        double cost = _options.Turns.CostOf(usage);
        if (cost > 0)
        {
            run.RecordUsage(_tokens, cost);
        }
    }
}
