namespace AgentQuotas.Cli.Dashboard;

/// <summary>What the dashboard page shows at one moment (serialised as the <c>/api/snapshot</c> JSON).</summary>
/// <param name="Source">Where it was read: <c>gate</c> (an in-process gate) or <c>postgres</c>.</param>
/// <param name="PolicyVersion">The policy version.</param>
/// <param name="At">When it was read (UTC).</param>
/// <param name="Buckets">Every known tenant's buckets.</param>
/// <param name="Queues">Calls waiting by workload class, or <see langword="null"/> when the source cannot see queues (they live in the gate's process).</param>
/// <param name="Pools">Compute pools, or <see langword="null"/> when the source cannot see them.</param>
/// <param name="Anomalies">Tenants flagged and not cleared.</param>
/// <param name="Denials">The most recent refusals, newest first.</param>
internal sealed record DashboardSnapshot(
    string Source,
    string PolicyVersion,
    DateTimeOffset At,
    IReadOnlyList<DashboardBucket> Buckets,
    IReadOnlyList<DashboardQueue>? Queues,
    IReadOnlyList<DashboardPool>? Pools,
    IReadOnlyList<DashboardAnomaly> Anomalies,
    IReadOnlyList<DashboardDenial> Denials);

/// <summary>One tenant's bucket for one category.</summary>
internal sealed record DashboardBucket(string Tenant, string Tier, string Category, double Capacity, double Level, double BurstCredits, int Queued);

/// <summary>Calls waiting now in one workload class.</summary>
internal sealed record DashboardQueue(string Class, int InBucketQueues, int InPoolQueues);

/// <summary>A compute pool's occupancy.</summary>
internal sealed record DashboardPool(string Name, int InUse, int Concurrency, bool Reserved);

/// <summary>A flagged tenant.</summary>
internal sealed record DashboardAnomaly(string Tenant, DateTimeOffset FlaggedAt, string? Detail);

/// <summary>A refusal from the audit trail.</summary>
internal sealed record DashboardDenial(DateTimeOffset At, string Tenant, string Tool, string Category, string Reason, string? Detail);
