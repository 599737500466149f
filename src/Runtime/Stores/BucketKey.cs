namespace AgentQuotas.Stores;

/// <summary>Identifies one token bucket: a tenant's budget for one category.</summary>
/// <param name="Tenant">The tenant id.</param>
/// <param name="Category">The quota category.</param>
public readonly record struct BucketKey(string Tenant, string Category)
{
    /// <inheritdoc/>
    public override string ToString() => Tenant + "/" + Category;
}
