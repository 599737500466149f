namespace AgentQuotas.Policy;

/// <summary>What anomaly detection watches, each against the tenant's own moving baseline.</summary>
public enum AnomalySignal
{
    /// <summary>Cost units charged (tool calls, cost corrections, model tokens at their price).</summary>
    Spend,

    /// <summary>Calls admitted.</summary>
    Requests,

    /// <summary>Model tokens charged.</summary>
    Tokens,
}
