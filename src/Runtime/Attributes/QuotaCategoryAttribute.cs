namespace AgentQuotas;

/// <summary>
/// Names the quota category whose token bucket pays for a tool's calls. On a class (or an interface) it
/// is the default for every tool of the type; on a method it overrides the type.
/// </summary>
/// <remarks>Every category used in code must have a budget in agentquotas.json (analyzer AQ0002).</remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class QuotaCategoryAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="category">The category name as it appears under <c>tiers.*.categories</c> in the policy.</param>
    public QuotaCategoryAttribute(string category)
    {
        Category = category;
    }

    /// <summary>The category name.</summary>
    public string Category { get; }
}
