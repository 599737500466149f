namespace AgentQuotas.Telemetry;

/// <summary>What the observable gauges read when a listener collects (never on the decision path).</summary>
internal interface IQuotaGaugeSource
{
    /// <summary>Tenants flagged by anomaly detection now.</summary>
    int FlaggedTenants { get; }

    /// <summary>Adds the calls waiting now, by workload class, in bucket queues and in compute-pool queues.</summary>
    void CountWaiting(Span<int> buckets, Span<int> pools);

    /// <summary>The compute pools of the policy in force.</summary>
    IReadOnlyList<Scheduling.ComputePoolStatistics> Pools();
}
