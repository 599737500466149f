namespace AgentQuotas.Resilience;

/// <summary>Describes a circuit breaker's change of state, for <see cref="QuotaGateOptions.OnCircuitStateChanged"/>.</summary>
public sealed class CircuitStateChangedArguments
{
    internal CircuitStateChangedArguments(string category, CircuitState previous, CircuitState state, int consecutiveFailures,
        TimeSpan? breakDuration, Exception? lastFailure, DateTimeOffset timestamp)
    {
        Category = category;
        PreviousState = previous;
        State = state;
        ConsecutiveFailures = consecutiveFailures;
        BreakDuration = breakDuration;
        LastFailure = lastFailure;
        Timestamp = timestamp;
    }

    /// <summary>The category whose breaker changed.</summary>
    public string Category { get; }

    /// <summary>The state before.</summary>
    public CircuitState PreviousState { get; }

    /// <summary>The state now.</summary>
    public CircuitState State { get; }

    /// <summary>Consecutive failures counted when it changed.</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>How long it stays open, when it opened.</summary>
    public TimeSpan? BreakDuration { get; }

    /// <summary>The failure that opened it, when known.</summary>
    public Exception? LastFailure { get; }

    /// <summary>When it changed (UTC).</summary>
    public DateTimeOffset Timestamp { get; }
}
