using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Helpers
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

    /// <summary>What a stretch of code does that matters for agent loops: agent calls and calls into the compilation.</summary>
    internal sealed class Region
    {
        public List<AgentCallSite> AgentCalls { get; } = new List<AgentCallSite>();

        public List<CallEdge> Calls { get; } = new List<CallEdge>();
    }

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

    /// <summary>A loop that is not bounded by itself and whose repeated parts may make agent calls.</summary>
    internal sealed class LoopRecord
    {
        public LoopRecord(string kind, string? why, Location location, IMethodSymbol? owner, Region region)
        {
            Kind = kind;
            Why = why;
            Location = location;
            Owner = owner;
            Region = region;
        }

        /// <summary>"while loop", "for loop", ...</summary>
        public string Kind { get; }

        /// <summary>Why its own shape does not bound it, if there is more to say than its kind.</summary>
        public string? Why { get; }

        public Location Location { get; }

        /// <summary>The function node the loop runs in, or null when it runs in code that may be called from anywhere (a stored lambda, a field initializer).</summary>
        public IMethodSymbol? Owner { get; }

        public Region Region { get; }
    }
}
