using System.Collections.Frozen;

namespace AgentQuotas.Policy;

/// <summary>A tier: the budgets and limits shared by every tenant assigned to it.</summary>
public sealed class TierPolicy
{
    internal TierPolicy(string name, FrozenDictionary<string, CategoryBudget> categories, BurstPolicy? burst, EmergencyPolicy? emergency, TierLimits limits)
    {
        Name = name;
        Categories = categories;
        Burst = burst;
        Emergency = emergency;
        Limits = limits;
    }

    /// <summary>The tier name.</summary>
    public string Name { get; }

    /// <summary>One budget per category.</summary>
    public IReadOnlyDictionary<string, CategoryBudget> Categories { get; }

    /// <summary>The burst allowance, if any.</summary>
    public BurstPolicy? Burst { get; }

    /// <summary>The emergency allowance, if any.</summary>
    public EmergencyPolicy? Emergency { get; }

    /// <summary>Per-run and per-tenant ceilings.</summary>
    public TierLimits Limits { get; }

    /// <summary>The highest workload class a tenant of this tier may run at (<c>maxClass</c>), if set.</summary>
    public WorkloadClass? MaxClass { get; internal set; }

    /// <summary>The limits of each principal within a tenant of this tier (<c>principal</c>), if set.</summary>
    public PrincipalPolicy? Principal { get; internal set; }

    /// <summary>Whether requests of <paramref name="workloadClass"/> may use the emergency allowance.</summary>
    /// <param name="workloadClass">The class to check.</param>
    public bool AllowsEmergency(WorkloadClass workloadClass) => Emergency?.Allows(workloadClass) == true;

    /// <summary>Looks up the budget for <paramref name="category"/>.</summary>
    /// <param name="category">The category name.</param>
    /// <param name="budget">The budget when found.</param>
    public bool TryGetBudget(string category, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CategoryBudget? budget) =>
        Categories.TryGetValue(category, out budget);
}
