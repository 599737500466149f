namespace AgentQuotas.Simulation;

/// <summary>What one tenant experienced in a simulation.</summary>
/// <param name="Tenant">The tenant id.</param>
/// <param name="Bursting">Whether it was one of the bursting tenants.</param>
/// <param name="Offered">Requests sent.</param>
/// <param name="Admitted">Requests admitted in full.</param>
/// <param name="ServedUnits">Cost units admitted.</param>
/// <param name="Degraded">Requests served by their fallback.</param>
/// <param name="Denied">Requests refused.</param>
public sealed record SimulationTenantReport(string Tenant, bool Bursting, long Offered, long Admitted, double ServedUnits, long Degraded, long Denied);
