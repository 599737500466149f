namespace AgentQuotas.Resilience;

/// <summary>The state of a category's circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Calls flow; consecutive failures are counted.</summary>
    Closed = 0,

    /// <summary>Calls are refused with <see cref="QuotaReason.CircuitOpen"/> until the break duration has passed.</summary>
    Open = 1,

    /// <summary>The break is over: one probe call is let through; its success closes the breaker, its failure opens it again.</summary>
    HalfOpen = 2,
}
