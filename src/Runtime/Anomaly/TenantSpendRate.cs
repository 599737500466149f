namespace AgentQuotas.Anomaly;

/// <summary>A tenant's spend as the anomaly detector sees it.</summary>
/// <param name="Current">Cost units charged in the interval in progress.</param>
/// <param name="Baseline">Mean cost units per interval over the window's completed intervals.</param>
/// <param name="IsEstablished">Whether a full window of history backs the baseline (only then are anomalies judged).</param>
/// <param name="IsFlagged">Whether the tenant has been flagged and not yet cleared.</param>
public readonly record struct TenantSpendRate(double Current, double Baseline, bool IsEstablished, bool IsFlagged);
