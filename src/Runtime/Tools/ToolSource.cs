namespace AgentQuotas.Tools;

/// <summary>Where a <see cref="ToolDescriptor"/>'s quota comes from.</summary>
public enum ToolSource
{
    /// <summary>The tool's own annotations (<see cref="CostAttribute"/>, <see cref="QuotaCategoryAttribute"/>...), registered by generated code.</summary>
    Annotated = 0,

    /// <summary>An entry of the policy's <c>tools</c> section, for a tool the code does not annotate.</summary>
    Policy = 1,

    /// <summary>Built by hand by the application (for example passed to <c>WithAgentQuotas</c>).</summary>
    Explicit = 2,
}
