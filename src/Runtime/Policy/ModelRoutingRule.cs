namespace AgentQuotas.Policy;

/// <summary>
/// A <c>routing</c> rule: work that matches every condition it sets (<see cref="Workflow"/>, <see cref="Class"/>,
/// <see cref="Tier"/>; an unset condition matches anything) starts at <see cref="Model"/> and is never served by a
/// model ranked below <see cref="MinRank"/>. The first matching rule in policy order applies.
/// </summary>
public sealed class ModelRoutingRule
{
    internal ModelRoutingRule(int index, string? workflow, WorkloadClass? workloadClass, string? tier, string? model, int? minRank)
    {
        Index = index;
        Workflow = workflow;
        Class = workloadClass;
        Tier = tier;
        Model = model;
        MinRank = minRank;
    }

    /// <summary>The rule's position in <c>routing</c> (0-based), as audit details name it.</summary>
    public int Index { get; }

    /// <summary>The workflow the rule matches, or <see langword="null"/> for any.</summary>
    public string? Workflow { get; }

    /// <summary>The workload class the rule matches, or <see langword="null"/> for any.</summary>
    public WorkloadClass? Class { get; }

    /// <summary>The tier the rule matches (the tenant's tier), or <see langword="null"/> for any.</summary>
    public string? Tier { get; }

    /// <summary>The model matching work goes to first, or <see langword="null"/> to keep the default preference.</summary>
    public string? Model { get; }

    /// <summary>The least capability rank a model must have to serve matching work, or <see langword="null"/> for any.</summary>
    public int? MinRank { get; }

    /// <summary>Whether the rule applies to work of this workflow, class and tier.</summary>
    /// <param name="workflow">The run's workflow.</param>
    /// <param name="workloadClass">The run's class.</param>
    /// <param name="tier">The tenant's tier name, when it has one.</param>
    public bool Matches(string? workflow, WorkloadClass workloadClass, string? tier) =>
        (Workflow is null || string.Equals(Workflow, workflow, StringComparison.Ordinal))
        && (Class is null || Class == workloadClass)
        && (Tier is null || string.Equals(Tier, tier, StringComparison.Ordinal));

    /// <inheritdoc/>
    public override string ToString()
    {
        var conditions = new List<string>(3);
        if (Workflow is not null)
        {
            conditions.Add("workflow " + Workflow);
        }

        if (Class is not null)
        {
            conditions.Add("class " + Class);
        }

        if (Tier is not null)
        {
            conditions.Add("tier " + Tier);
        }

        return "routing[" + Index + "] (" + (conditions.Count == 0 ? "all work" : string.Join(", ", conditions)) + ")";
    }
}
