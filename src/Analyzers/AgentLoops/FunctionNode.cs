using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>A method or local function with a body, as a node of the call graph.</summary>
    internal sealed class FunctionNode
    {
        public FunctionNode(IMethodSymbol symbol, IMethodSymbol member, Region body)
        {
            Symbol = symbol;
            Member = member;
            Body = body;
        }

        /// <summary>The method or local function (normalized).</summary>
        public IMethodSymbol Symbol { get; }

        /// <summary>The member whose [AgentLoop] covers this code: the method itself, or the method around a local function.</summary>
        public IMethodSymbol Member { get; }

        public bool IsLocalFunction => Symbol.MethodKind == MethodKind.LocalFunction;

        /// <summary>The node's own code, including lambdas it runs directly but not its local functions.</summary>
        public Region Body { get; }
    }
}
