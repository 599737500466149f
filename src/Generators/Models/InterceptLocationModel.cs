namespace AgentQuotas.Generators.Models
{
    /// <summary>One call site to intercept: the versioned location data and a readable position for comments.</summary>
    internal sealed record InterceptLocationModel(int Version, string Data, string Display);
}
