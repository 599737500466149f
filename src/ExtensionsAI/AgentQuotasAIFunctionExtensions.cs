using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

/// <summary>Puts any <see cref="AIFunction"/> under AgentQuotas: <c>fn.WithAgentQuotas()</c>.</summary>
public static class AgentQuotasAIFunctionExtensions
{
    /// <summary>
    /// Returns a function whose every invocation is guarded like a direct call of an annotated tool (see
    /// <see cref="GuardedAIFunction"/>). A function that is already guarded (a generated AIFunction, or one wrapped before)
    /// is returned as it is, so no call is charged twice.
    /// </summary>
    /// <param name="function">Any AIFunction: from <c>AIFunctionFactory.Create</c>, an MCP client, a third party.</param>
    /// <param name="descriptor">The tool's quota; <see langword="null"/> to look it up per call (registry, then policy).</param>
    /// <param name="target">The instance the tool belongs to, so an instance fallback can run; optional.</param>
    /// <param name="registry">Where annotated tools are looked up; default <see cref="ToolRegistry.Default"/>.</param>
    public static AIFunction WithAgentQuotas(this AIFunction function, ToolDescriptor? descriptor = null, object? target = null, ToolRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return GuardedFunctions.IsGuarded(function) ? function : new GuardedAIFunction(function, descriptor, target, registry ?? ToolRegistry.Default);
    }

    /// <summary>Applies <see cref="WithAgentQuotas(AIFunction, ToolDescriptor?, object?, ToolRegistry?)"/> to every function among <paramref name="tools"/>; other tools pass through.</summary>
    /// <param name="tools">The tools, e.g. <c>ChatOptions.Tools</c> or an MCP client's tool list.</param>
    /// <param name="registry">Where annotated tools are looked up; default <see cref="ToolRegistry.Default"/>.</param>
    public static IList<AITool> WithAgentQuotas(this IEnumerable<AITool> tools, ToolRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        return [.. tools.Select(t => t is AIFunction f ? f.WithAgentQuotas(registry: registry) : t)];
    }
}
