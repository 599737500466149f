namespace AgentQuotas.Deferred;

/// <summary>Where a deferred job is in its life. The numbers are stored (PostgreSQL): never renumber.</summary>
public enum DeferredJobState
{
    /// <summary>Accepted and waiting for capacity (or for its <see cref="DeferredJob.NotBefore"/>).</summary>
    Pending = 0,

    /// <summary>A worker holds it under a lease and is asking the gate for its quota; its tool has not started.</summary>
    Claimed = 1,

    /// <summary>Admitted: its tool is running under a worker's lease.</summary>
    Running = 2,

    /// <summary>It ran and succeeded; <see cref="DeferredJob.Result"/> holds what it returned.</summary>
    Succeeded = 3,

    /// <summary>
    /// It ran and failed, it was refused for good (a denial waiting cannot cure), or its worker was lost while it ran
    /// (it is then not run again, since its effects are unknown); <see cref="DeferredJob.Error"/> says which.
    /// </summary>
    Failed = 4,
}
