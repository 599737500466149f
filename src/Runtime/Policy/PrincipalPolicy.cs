namespace AgentQuotas.Policy;

/// <summary>
/// A tier's <c>principal</c> block: what each principal of a tenant may take, on top of the tenant's own limits.
/// Each principal has its own bucket per category (a share of the category's, or an absolute capacity and
/// refill, never more than the category's) and, optionally, its own daily cost ceiling.
/// </summary>
public sealed class PrincipalPolicy
{
    internal PrincipalPolicy(double? share, double? capacity, double? refillPerSecond, double? maxCostPerDay)
    {
        Share = share;
        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        MaxCostPerDay = maxCostPerDay;
    }

    /// <summary>The share (0, 1] of each category's capacity and refill a principal gets, if set.</summary>
    public double? Share { get; }

    /// <summary>An absolute capacity per category, if set (capped at the category's).</summary>
    public double? Capacity { get; }

    /// <summary>An absolute refill per second per category, if set (capped at the category's).</summary>
    public double? RefillPerSecond { get; }

    /// <summary>Most cost units per principal per UTC day, across all categories, if set.</summary>
    public double? MaxCostPerDay { get; }

    /// <summary>Whether the block gives principals their own buckets (else only a daily ceiling).</summary>
    public bool HasBuckets => Share is not null || Capacity is not null;
}
