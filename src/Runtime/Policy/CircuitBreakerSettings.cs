namespace AgentQuotas.Policy;

/// <summary>The circuit-breaker settings of one category.</summary>
public sealed class CircuitBreakerSettings
{
    internal CircuitBreakerSettings(int failureThreshold, TimeSpan breakDuration)
    {
        FailureThreshold = failureThreshold;
        BreakDuration = breakDuration;
    }

    /// <summary>Consecutive failures that open the breaker.</summary>
    public int FailureThreshold { get; }

    /// <summary>How long the breaker stays open before it lets one probe call through.</summary>
    public TimeSpan BreakDuration { get; }
}
