using System.Runtime.InteropServices;

namespace AgentQuotas;

/// <summary>
/// A request for quota outside an <see cref="AgentRun"/>, with the identity given explicitly: for hosts
/// such as ASP.NET Core's rate-limiting middleware, where the identity comes from the authenticated
/// request. Run caps do not apply; buckets, ceilings, approval, audit and telemetry do.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct QuotaRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="identity">The authenticated identity.</param>
    /// <param name="tool">The tool (its category pays).</param>
    /// <param name="cost">Units; finite and greater than zero.</param>
    /// <param name="workloadClass">The workload class.</param>
    /// <param name="workflow">A workflow name for audit, optionally.</param>
    public QuotaRequest(AgentIdentity identity, QuotaTool tool, double cost, WorkloadClass workloadClass = WorkloadClass.Standard, string? workflow = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(tool);
        Identity = identity;
        Tool = tool;
        Cost = cost;
        WorkloadClass = workloadClass;
        Workflow = workflow;
    }

    /// <summary>The authenticated identity.</summary>
    public AgentIdentity Identity { get; }

    /// <summary>The tool.</summary>
    public QuotaTool Tool { get; }

    /// <summary>Units requested.</summary>
    public double Cost { get; }

    /// <summary>The workload class.</summary>
    public WorkloadClass WorkloadClass { get; }

    /// <summary>The workflow name, if any.</summary>
    public string? Workflow { get; }

    /// <summary>For a privileged call: the digest of its arguments and, when it resumes after approval, the approval id.</summary>
    public ApprovalBinding Approval { get; init; }
}
