// Shared by the analyzers and the generator (netstandard2.0).
namespace AgentQuotas.ToolModel
{
    /// <summary>The attributes that make a method a tool, a loop or a framework tool.</summary>
    internal enum ToolAttributeKind
    {
        /// <summary>Any other attribute.</summary>
        None,

        /// <summary><c>AgentQuotas.AgentToolAttribute</c>.</summary>
        AgentTool,

        /// <summary><c>AgentQuotas.QuotaCategoryAttribute</c>.</summary>
        QuotaCategory,

        /// <summary><c>AgentQuotas.CostAttribute</c>.</summary>
        Cost,

        /// <summary><c>AgentQuotas.PrivilegedAttribute</c>.</summary>
        Privileged,

        /// <summary><c>AgentQuotas.FallbackAttribute</c>.</summary>
        Fallback,

        /// <summary><c>AgentQuotas.AgentLoopAttribute</c>.</summary>
        AgentLoop,

        /// <summary>Semantic Kernel's <c>[KernelFunction]</c>.</summary>
        KernelFunction,

        /// <summary>The MCP server's <c>[McpServerTool]</c>.</summary>
        McpServerTool,
    }
}
