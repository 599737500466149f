using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>A call from one function of the compilation to another (a method or a local function).</summary>
    internal sealed class CallEdge
    {
        public CallEdge(IMethodSymbol target, Location location)
        {
            Target = target;
            Location = location;
        }

        public IMethodSymbol Target { get; }

        public Location Location { get; }
    }
}
