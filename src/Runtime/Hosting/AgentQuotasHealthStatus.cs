namespace AgentQuotas.Hosting;

/// <summary>The health of AgentQuotas in a host (ordered like <c>Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus</c>).</summary>
public enum AgentQuotasHealthStatus
{
    /// <summary>No policy is in force (the gate could not be built) or the store cannot be reached and refuses requests.</summary>
    Unhealthy = 0,

    /// <summary>Decisions are made, but not as configured: the last policy reload failed (the old policy stays), or the store decides locally while its server is away (fail open, local fallback).</summary>
    Degraded = 1,

    /// <summary>A policy is in force, its last reload (if any) applied, and the store is reachable.</summary>
    Healthy = 2,
}
