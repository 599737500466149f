namespace AgentQuotas.RateLimiting;

/// <summary>Where a rate-limited resource draws from: an identity's bucket for a category.</summary>
/// <param name="Identity">The authenticated identity (for HTTP, from the validated user principal).</param>
/// <param name="Category">The quota category.</param>
/// <param name="WorkloadClass">The workload class.</param>
/// <param name="CostPerPermit">Units charged per permit; finite and greater than zero.</param>
public readonly record struct QuotaPartition(AgentIdentity Identity, string Category, WorkloadClass WorkloadClass = WorkloadClass.Standard, double CostPerPermit = 1);
