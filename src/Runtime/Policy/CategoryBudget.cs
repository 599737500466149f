using AgentQuotas.Stores;

namespace AgentQuotas.Policy;

/// <summary>A tier's budget for one category: one token bucket per tenant.</summary>
public sealed class CategoryBudget
{
    internal CategoryBudget(string category, double capacity, double refillPerSecond, BucketLimits limits)
    {
        Category = category;
        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        Limits = limits;
    }

    /// <summary>The category name.</summary>
    public string Category { get; }

    /// <summary>Most units the bucket holds.</summary>
    public double Capacity { get; }

    /// <summary>Units added per second.</summary>
    public double RefillPerSecond { get; }

    /// <summary>The bucket limits, including the tier's burst and emergency allowances.</summary>
    public BucketLimits Limits { get; }
}
