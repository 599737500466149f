namespace AgentQuotas.SemanticKernel;

// The model turns of one prompt-function invocation: the first is counted when the prompt function starts, each further one
// when automatic function calling hands over the first call of a new round (the model is called again after every round).
// Once the run refuses a turn, every call of that round is refused too. Flows with the invocation's async context.
internal sealed class PromptTurns
{
    private static readonly AsyncLocal<PromptTurns?> CurrentTurns = new();

    private readonly object _lock = new();
    private readonly AgentRun _run;
    private int _lastRound = -1;
    private QuotaDecision? _refused;

    private PromptTurns(AgentRun run) => _run = run;

    public static PromptTurns? Current => CurrentTurns.Value;

    public static Scope Begin(AgentRun run)
    {
        PromptTurns? outer = CurrentTurns.Value;
        CurrentTurns.Value = new PromptTurns(run);
        return new Scope(outer);
    }

    /// <summary>Counts the turn a new round's function calls lead to; the refusal when the run allows no more turns.</summary>
    public QuotaDecision? OnFunctionCall(int round)
    {
        lock (_lock)
        {
            if (_refused is null && round > _lastRound)
            {
                _lastRound = round;
                QuotaDecision next = _run.TryBeginIteration();
                if (!next.IsAdmitted)
                {
                    _refused = next;
                }
            }

            return _refused;
        }
    }

    public readonly struct Scope(PromptTurns? outer) : IDisposable
    {
        public void Dispose() => CurrentTurns.Value = outer;
    }
}
