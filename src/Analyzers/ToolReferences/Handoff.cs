using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.ToolReferences
{
    /// <summary>The AgentQuotas integrations a project can register, in the order <see cref="FrameworkSymbols"/> resolves them.</summary>
    internal enum AgentFramework
    {
        /// <summary>AgentQuotas.Extensions.AI: <c>UseAgentQuotas(this ChatClientBuilder)</c>.</summary>
        ExtensionsAI = 0,

        /// <summary>AgentQuotas.SemanticKernel: <c>UseAgentQuotas(this Kernel)</c>, <c>AddAgentQuotas(this IKernelBuilder)</c>.</summary>
        SemanticKernel = 1,

        /// <summary>AgentQuotas.Agents.AI: <c>UseAgentQuotas(this AIAgentBuilder)</c>.</summary>
        AgentFramework = 2,

        /// <summary>AgentQuotas.ModelContextProtocol: <c>AddAgentQuotas(this IMcpServerBuilder)</c>.</summary>
        Mcp = 3,
    }

    /// <summary>The framework a tool is handed to.</summary>
    internal enum FrameworkKind
    {
        /// <summary>AIFunctionFactory.Create: the AIFunction runs under Microsoft.Extensions.AI or the Agent Framework.</summary>
        ExtensionsAI,

        /// <summary>Semantic Kernel plugins and functions from methods.</summary>
        SemanticKernel,

        /// <summary>MCP server tools.</summary>
        Mcp,
    }

    /// <summary>A call that hands tools to a framework which invokes them by reflection or through a delegate.</summary>
    internal sealed class Handoff
    {
        public Handoff(FrameworkKind framework, string how, INamedTypeSymbol? toolAttribute, bool wholeAssembly)
        {
            Framework = framework;
            How = how;
            ToolAttribute = toolAttribute;
            WholeAssembly = wholeAssembly;
        }

        public FrameworkKind Framework { get; }

        /// <summary>The registering method as written in messages: "KernelExtensions.ImportPluginFromObject".</summary>
        public string How { get; }

        /// <summary>For type handoffs: the attribute that makes a method of the type a tool ([KernelFunction], [McpServerTool]).</summary>
        public INamedTypeSymbol? ToolAttribute { get; }

        /// <summary>Every type of this compilation marked as a tool type (MCP's WithToolsFromAssembly).</summary>
        public bool WholeAssembly { get; }

        /// <summary>Methods handed over one by one (a method group, a delegate, a MethodInfo).</summary>
        public List<IMethodSymbol> Methods { get; } = new List<IMethodSymbol>();

        /// <summary>Types whose tool methods are handed over (AddFromType&lt;T&gt;, AddFromObject(target), WithTools&lt;T&gt;).</summary>
        public List<ITypeSymbol> Types { get; } = new List<ITypeSymbol>();

        /// <summary>Whether a registration of <paramref name="integration"/> guards what this handoff exposes.</summary>
        public bool IsGuardedBy(AgentFramework integration)
        {
            switch (Framework)
            {
                case FrameworkKind.ExtensionsAI:
                    return integration == AgentFramework.ExtensionsAI || integration == AgentFramework.AgentFramework;
                case FrameworkKind.SemanticKernel:
                    return integration == AgentFramework.SemanticKernel;
                default:
                    return integration == AgentFramework.Mcp;
            }
        }
    }
}
