namespace AgentQuotas.Policy;

/// <summary>A <c>workflows</c> entry: the class a named workflow runs at, who owns it, and its optional per-run caps.</summary>
public sealed class WorkflowPolicy
{
    internal WorkflowPolicy(string name, WorkloadClass workloadClass, string owner, int? maxIterations, int? maxToolCalls, double? maxCostPerRun)
    {
        Name = name;
        Class = workloadClass;
        Owner = owner;
        Limits = maxIterations is null && maxToolCalls is null && maxCostPerRun is null
            ? null
            : new RunLimits { MaxIterations = maxIterations, MaxToolCalls = maxToolCalls, MaxCost = maxCostPerRun };
    }

    /// <summary>The workflow name.</summary>
    public string Name { get; }

    /// <summary>The class runs of this workflow get (and the highest they may ask for).</summary>
    public WorkloadClass Class { get; }

    /// <summary>Who answers for the workflow (a team or a person).</summary>
    public string Owner { get; }

    /// <summary>The workflow's per-run caps (tightened by the caller's and the tier's), or <see langword="null"/>.</summary>
    public RunLimits? Limits { get; }
}
