namespace AgentQuotas.Stores;

/// <summary>Whether a store reaches its shared state.</summary>
public enum QuotaStoreHealthStatus
{
    /// <summary>The shared state cannot be reached and requests are refused (fail closed).</summary>
    Unreachable = 0,

    /// <summary>The shared state cannot be reached; requests are decided locally (fail open or a local fallback), so budgets are only approximately enforced.</summary>
    DecidingLocally = 1,

    /// <summary>The shared state answers.</summary>
    Reachable = 2,
}
