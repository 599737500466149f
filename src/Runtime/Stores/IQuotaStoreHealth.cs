namespace AgentQuotas.Stores;

/// <summary>
/// A store that can say whether it reaches its backing service (a remote store; the in-memory store does not need to).
/// Health checks (<c>AgentQuotasHealthProbe</c>, <c>AddAgentQuotasHealthChecks()</c>) ask it.
/// </summary>
public interface IQuotaStoreHealth
{
    /// <summary>Finds out whether the store can decide from its shared state now; may make one short round trip.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The store's health; never throws for an unreachable service.</returns>
    ValueTask<QuotaStoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default);
}
