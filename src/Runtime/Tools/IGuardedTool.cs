namespace AgentQuotas.Tools;

/// <summary>
/// Marks a framework tool object (a generated AIFunction, a <c>WithAgentQuotas()</c> wrapper) whose invocation already
/// goes through the guard, so an integration that meets it must call it as it is and not guard it a second time
/// (which would charge the call twice).
/// </summary>
public interface IGuardedTool
{
    /// <summary>The tool's descriptor, when known (a wrapper that resolves it per call has none).</summary>
    ToolDescriptor? Descriptor { get; }
}
