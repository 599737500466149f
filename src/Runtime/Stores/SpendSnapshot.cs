namespace AgentQuotas.Stores;

/// <summary>A tenant's recorded spend for the current UTC day and month.</summary>
/// <param name="Today">Units spent today.</param>
/// <param name="ThisMonth">Units spent this month.</param>
public readonly record struct SpendSnapshot(double Today, double ThisMonth);
