using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.AgentCalls
{
    /// <summary>A call that makes the code around it agent code: a model turn or a tool call.</summary>
    internal sealed class AgentCallSite
    {
        public AgentCallSite(string description, Location location)
        {
            Description = description;
            Location = location;
        }

        /// <summary>What the code does, as a verb phrase: "calls chat model 'IChatClient.GetResponseAsync'".</summary>
        public string Description { get; }

        public Location Location { get; }
    }
}
