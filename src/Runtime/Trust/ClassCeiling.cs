using AgentQuotas.Policy;

namespace AgentQuotas.Trust;

/// <summary>
/// The class a run gets (issue 16): a workflow listed in the policy's <c>workflows</c> takes its class from there, and
/// no run gets a class above its ceiling, the less urgent of its workflow's class and its tier's and tenant's
/// <c>maxClass</c>. A run that asks for more is lowered to the ceiling or refused, as the policy's <c>classCeiling</c> says.
/// </summary>
internal static class ClassCeiling
{
    /// <summary>Decides the class and caps of a run about to open.</summary>
    /// <param name="policy">The policy in force.</param>
    /// <param name="identity">Who the run acts for.</param>
    /// <param name="requested">The class the caller asked for, or <see langword="null"/> to take the workflow's (else Standard).</param>
    /// <param name="workflow">The workflow name, if any.</param>
    /// <param name="limits">The caller's caps, if any.</param>
    public static RunClass Resolve(QuotaPolicy policy, AgentIdentity identity, WorkloadClass? requested, string? workflow, RunLimits? limits)
    {
        WorkflowPolicy? listed = null;
        if (workflow is not null)
        {
            policy.TryGetWorkflow(workflow, out listed);
        }

        WorkloadClass asked = requested ?? listed?.Class ?? WorkloadClass.Standard;
        WorkloadClass tenantCeiling = policy.MaxClassFor(identity.Tenant);
        WorkloadClass ceiling = listed is null ? tenantCeiling : QuotaPolicy.Lower(tenantCeiling, listed.Class);
        RunLimits? caps = Tighten(limits, listed?.Limits);
        if ((int)asked >= (int)ceiling)
        {
            return new RunClass(asked, caps, ClassVerdict.Granted, Detail: null);
        }

        string why = listed is not null && ceiling == listed.Class && (int)listed.Class >= (int)tenantCeiling
            ? $"workflow '{listed.Name}' (owner {listed.Owner}) runs at {listed.Class}"
            : $"tenant '{identity.Tenant}' may run at most at {tenantCeiling} (maxClass)";
        return policy.ClassCeiling == ClassCeilingMode.Refuse
            ? new RunClass(asked, caps, ClassVerdict.Refused, $"The run asked for {asked}, above its ceiling: {why}; refused (classCeiling \"refuse\").")
            : new RunClass(ceiling, caps, ClassVerdict.Lowered, $"The run asked for {asked}, above its ceiling: {why}; lowered to {ceiling} (classCeiling \"lower\").");
    }

    // The tighter of the caller's caps and the workflow's.
    private static RunLimits? Tighten(RunLimits? caller, RunLimits? workflow)
    {
        if (workflow is null)
        {
            return caller;
        }

        if (caller is null)
        {
            return workflow;
        }

        return caller with
        {
            MaxIterations = Min(caller.MaxIterations, workflow.MaxIterations),
            MaxToolCalls = Min(caller.MaxToolCalls, workflow.MaxToolCalls),
            MaxCost = caller.MaxCost is double a && workflow.MaxCost is double b ? Math.Min(a, b) : caller.MaxCost ?? workflow.MaxCost,
        };

        static int? Min(int? a, int? b) => a is int x && b is int y ? Math.Min(x, y) : a ?? b;
    }
}

/// <summary>What <see cref="ClassCeiling.Resolve"/> decided.</summary>
/// <param name="Class">The class the run gets (the asked class when refused).</param>
/// <param name="Limits">The run's caps: the caller's, tightened by its workflow's.</param>
/// <param name="Verdict">Granted as asked, lowered to the ceiling, or refused.</param>
/// <param name="Detail">Why it was lowered or refused.</param>
internal readonly record struct RunClass(WorkloadClass Class, RunLimits? Limits, ClassVerdict Verdict, string? Detail);

/// <summary>The verdict on a run's class.</summary>
internal enum ClassVerdict
{
    /// <summary>The run gets what it asked for.</summary>
    Granted,

    /// <summary>The run asked for more than its ceiling and runs at the ceiling.</summary>
    Lowered,

    /// <summary>The run asked for more than its ceiling and is refused.</summary>
    Refused,
}
