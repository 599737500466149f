namespace AgentQuotas;

/// <summary>
/// Marks a method as a tool an AI agent may call. The name and description are what the model sees;
/// the source generator turns every <see cref="AgentToolAttribute"/> method of a class into a guarded
/// <c>AIFunction</c> when Microsoft.Extensions.AI.Abstractions is referenced.
/// </summary>
/// <remarks>
/// An agent tool must also carry a budget: a <see cref="CostAttribute"/> and a
/// <see cref="QuotaCategoryAttribute"/> on the method or its class (analyzer AQ0001).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AgentToolAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The tool name shown to the model, e.g. <c>"search_kb"</c>.</param>
    /// <param name="description">What the tool does, in a sentence the model can act on.</param>
    public AgentToolAttribute(string name, string description)
    {
        Name = name;
        Description = description;
    }

    /// <summary>The tool name shown to the model.</summary>
    public string Name { get; }

    /// <summary>What the tool does, shown to the model.</summary>
    public string Description { get; }
}
