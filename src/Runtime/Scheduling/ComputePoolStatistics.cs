namespace AgentQuotas.Scheduling;

/// <summary>A compute pool's occupancy at one moment.</summary>
/// <param name="Name">The pool name.</param>
/// <param name="Concurrency">Most calls it runs at once.</param>
/// <param name="InUse">Calls running in it now.</param>
/// <param name="IsReserved">Whether it serves only the classes it lists.</param>
public readonly record struct ComputePoolStatistics(string Name, int Concurrency, int InUse, bool IsReserved);
