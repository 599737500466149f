namespace AgentQuotas.Deferred;

/// <summary>
/// One deferred call as a store holds it: what to run (the job kind's handler with its payload, charged as
/// <see cref="Tool"/> in <see cref="Category"/> at <see cref="Cost"/>), for whom (the identity of the run that
/// deferred it, captured when it was accepted, never from its payload), and where it is.
/// </summary>
public sealed record DeferredJob
{
    /// <summary>The job's id, the handle's key.</summary>
    public required Guid Id { get; init; }

    /// <summary>The registered kind whose handler runs the job.</summary>
    public required string Kind { get; init; }

    /// <summary>The handler's input (for example the call's arguments as JSON); <see langword="null"/> for none.</summary>
    public string? Payload { get; init; }

    /// <summary>The tenant of the run that deferred the job.</summary>
    public required string Tenant { get; init; }

    /// <summary>The principal of the run that deferred the job.</summary>
    public required string Principal { get; init; }

    /// <summary>The workload class of the run that deferred the job.</summary>
    public required WorkloadClass WorkloadClass { get; init; }

    /// <summary>The workflow of the run that deferred the job, if any.</summary>
    public string? Workflow { get; init; }

    /// <summary>The tool the job is charged as.</summary>
    public required string Tool { get; init; }

    /// <summary>The category that pays for the job.</summary>
    public required string Category { get; init; }

    /// <summary>The planned cost, taken through the gate when the job runs.</summary>
    public required double Cost { get; init; }

    /// <summary>Where the job is.</summary>
    public DeferredJobState State { get; init; }

    /// <summary>How many times a worker claimed it.</summary>
    public int Attempts { get; init; }

    /// <summary>When it was accepted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Not claimed before this time (the gate's last <c>RetryAfter</c>).</summary>
    public required DateTimeOffset NotBefore { get; init; }

    /// <summary>When the current worker's lease ends (claimed or running), else <see langword="null"/>.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>When it succeeded or failed, else <see langword="null"/>.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>What the handler returned, when it succeeded.</summary>
    public string? Result { get; init; }

    /// <summary>Why it failed, when it did.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the job is finished (<see cref="DeferredJobState.Succeeded"/> or <see cref="DeferredJobState.Failed"/>).</summary>
    public bool IsFinished => State is DeferredJobState.Succeeded or DeferredJobState.Failed;
}
