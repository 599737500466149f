namespace AgentQuotas.Scheduling;

/// <summary>One slot of a compute pool. Guarded by the pool set's lock.</summary>
internal sealed class PoolSlot
{
    public PoolSlot(ComputePool pool, int index)
    {
        Pool = pool;
        Index = index;
    }

    public ComputePool Pool { get; }

    public int Index { get; }

    /// <summary>Bumped on every release; a lease names the generation it holds.</summary>
    public int Generation { get; set; }

    public bool InUse { get; set; }

    public WorkloadClass Class { get; set; }

    public string Tenant { get; set; } = "";

    public long AcquiredAt { get; set; }
}
