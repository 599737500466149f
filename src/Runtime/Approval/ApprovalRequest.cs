namespace AgentQuotas;

/// <summary>What a privileged call would do, for an <see cref="IApprovalService"/> to decide on.</summary>
public sealed class ApprovalRequest
{
    internal ApprovalRequest(AgentIdentity identity, WorkloadClass workloadClass, string? workflow, string? runId, QuotaTool tool, double cost, string policyVersion, DateTimeOffset requestedAt,
        string? argumentsDigest = null, string? approvalId = null)
    {
        ArgumentsDigest = argumentsDigest ?? string.Empty;
        ApprovalId = approvalId;
        Identity = identity;
        WorkloadClass = workloadClass;
        Workflow = workflow;
        RunId = runId;
        Tool = tool;
        Cost = cost;
        PolicyVersion = policyVersion;
        RequestedAt = requestedAt;
    }

    /// <summary>Who the call acts for.</summary>
    public AgentIdentity Identity { get; }

    /// <summary>The run's workload class.</summary>
    public WorkloadClass WorkloadClass { get; }

    /// <summary>The run's workflow, if named.</summary>
    public string? Workflow { get; }

    /// <summary>The run id, if the call is inside a run.</summary>
    public string? RunId { get; }

    /// <summary>The tool.</summary>
    public QuotaTool Tool { get; }

    /// <summary>The planned cost.</summary>
    public double Cost { get; }

    /// <summary>The deciding policy's version.</summary>
    public string PolicyVersion { get; }

    /// <summary>When approval was requested.</summary>
    public DateTimeOffset RequestedAt { get; }

    /// <summary>The digest of the call's arguments (<see cref="ApprovalBinding.DigestOf"/>); empty when the caller gave none.</summary>
    public string ArgumentsDigest { get; }

    /// <summary>The approval the call resumes with (<see cref="ApprovalBinding.ApprovalId"/>); <see langword="null"/> for a first call.</summary>
    public string? ApprovalId { get; }
}
