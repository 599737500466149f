namespace AgentQuotas.Policy;

/// <summary>
/// A tier's emergency allowance: requests of the listed workload classes may be admitted when the
/// bucket and burst credits are exhausted, by borrowing against future refill up to
/// <see cref="DebtMultiplier"/> x capacity. The debt is repaid by refill before anyone else is served.
/// </summary>
public sealed class EmergencyPolicy
{
    internal EmergencyPolicy(IReadOnlyList<WorkloadClass> classes, double debtMultiplier)
    {
        Classes = classes;
        DebtMultiplier = debtMultiplier;
    }

    /// <summary>The classes that may borrow.</summary>
    public IReadOnlyList<WorkloadClass> Classes { get; }

    /// <summary>How many bucket capacities may be borrowed (default 1).</summary>
    public double DebtMultiplier { get; }

    /// <summary>Whether <paramref name="workloadClass"/> may borrow.</summary>
    /// <param name="workloadClass">The class to check.</param>
    public bool Allows(WorkloadClass workloadClass)
    {
        foreach (WorkloadClass c in Classes)
        {
            if (c == workloadClass)
            {
                return true;
            }
        }

        return false;
    }
}
