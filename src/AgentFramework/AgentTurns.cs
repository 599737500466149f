using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Agents.AI;

// The model turns of one agent run whose chat client is not AgentQuotas' own: the first turn is counted when the run
// starts, each further one when the function-invoking client hands over the first call of a new iteration (it calls
// the model again after every batch). A refused turn ends the loop there (FunctionInvocationContext.Terminate).
internal sealed class AgentTurns(AgentRun run, int functionInvocationLimit)
{
    private readonly object _lock = new();
    private int _lastIteration = -1;
    private QuotaDecision? _refused;

    public AgentRun Run { get; } = run;

    public AgentRunCapped? Capped { get; private set; }

    /// <summary>Counts the turn a new iteration's function calls lead to; the refusal when the run allows no more turns.</summary>
    public QuotaDecision? OnFunctionCall(FunctionInvocationContext context)
    {
        lock (_lock)
        {
            if (context.Iteration > _lastIteration)
            {
                _lastIteration = context.Iteration;
                QuotaDecision next = Run.TryBeginIteration();
                if (!next.IsAdmitted)
                {
                    _refused = next;
                    Capped = new AgentRunCapped(Run.Id, ChatTurnLimits.RunIterationLimit, next.Reason,
                        $"Agent run {Run.Id} reached its iteration cap ({Run.IterationCap}) before the model answered; the tool calls of its last turn were not run.");
                }
                else if (context.Iteration + 1 >= functionInvocationLimit)
                {
                    Capped = new AgentRunCapped(Run.Id, ChatTurnLimits.MaximumIterationsPerRequest, QuotaReason.RunIterationLimit,
                        $"The agent's function-invoking client reached its MaximumIterationsPerRequest ({functionInvocationLimit}) before agent run {Run.Id}'s caps, so its last turn was answered without tools.");
                }
            }

            return _refused;
        }
    }
}

internal static class ChatTurnLimits
{
    public const string RunIterationLimit = AgentQuotas.Extensions.AI.ChatTurnDegradation.RunIterationLimit;
    public const string MaximumIterationsPerRequest = AgentQuotas.Extensions.AI.ChatTurnDegradation.MaximumIterationsPerRequest;
}
