namespace AgentQuotas.Extensions.AI;

// The model turns of one request to an AgentQuotasFunctionInvokingChatClient, so the GuardedChatClient beneath it can
// tell the turn on which the function-invoking client strips tools (its MaximumIterationsPerRequest) from one the
// run's own cap ends. Flows with the request's async context.
internal sealed class RequestTurns
{
    private static readonly AsyncLocal<RequestTurns?> CurrentTurns = new();

    private RequestTurns(int maximumIterations) => MaximumIterations = maximumIterations;

    public static RequestTurns? Current => CurrentTurns.Value;

    public int MaximumIterations { get; }

    /// <summary>Model turns begun so far in the request.</summary>
    public int Turns { get; private set; }

    public static Scope Begin(int maximumIterations)
    {
        RequestTurns? outer = CurrentTurns.Value;
        CurrentTurns.Value = new RequestTurns(maximumIterations);
        return new Scope(outer);
    }

    /// <summary>Counts a turn; true when it is the turn the function-invoking client makes without tools.</summary>
    public bool NextIsFunctionInvocationLast() => Turns++ >= MaximumIterations;

    public readonly struct Scope(RequestTurns? outer) : IDisposable
    {
        public void Dispose() => CurrentTurns.Value = outer;
    }
}
