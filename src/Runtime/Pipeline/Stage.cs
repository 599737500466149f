namespace AgentQuotas.Pipeline;

/// <summary>
/// The steps of a decision, in order. A new step goes between two of these, with its own type and a line in
/// <see cref="DecisionPipeline"/>'s core.
/// </summary>
internal enum Stage : byte
{
    /// <summary>The tier and budget (<see cref="ResolveStep"/>).</summary>
    Resolve,

    /// <summary>The category's circuit breaker (<see cref="BreakerStep"/>).</summary>
    Breaker,

    /// <summary>The run's deadline and caps (<see cref="RunCapsStep"/>).</summary>
    RunCaps,

    /// <summary>The units: the bucket, through its queue when it has one (<see cref="BucketStep"/>).</summary>
    Bucket,

    /// <summary>The principal's own bucket and daily ceiling (<see cref="PrincipalStep"/>).</summary>
    Principal,

    /// <summary>A compute-pool slot (<see cref="PoolStep"/>).</summary>
    Pool,

    /// <summary>The approval service (<see cref="ApprovalStep"/>).</summary>
    Approval,

    /// <summary>Admitted and recorded (<see cref="RecordStep"/>).</summary>
    Done,
}
