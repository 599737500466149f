using System.Collections.Generic;
using AgentQuotas.Analyzers.AgentCalls;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>What a stretch of code does that matters for agent loops: agent calls, input waits and calls into the compilation.</summary>
    internal sealed class Region
    {
        public List<AgentCallSite> AgentCalls { get; } = new List<AgentCallSite>();

        /// <summary>Calls that wait for the next input line or message (Console.ReadLine, a channel read).</summary>
        public List<AgentCallSite> InputWaits { get; } = new List<AgentCallSite>();

        public List<CallEdge> Calls { get; } = new List<CallEdge>();
    }
}
