namespace AgentQuotas.Generators
{
    /// <summary>Names of the generator's pipeline steps, for caching tests and diagnostics.</summary>
    internal static class TrackingNames
    {
        /// <summary>Each invocation of a guarded or loop method, as an interceptable call site (or a reason it cannot be).</summary>
        public const string CallSites = "CallSites";

        /// <summary>All call sites, collected.</summary>
        public const string CollectedCallSites = "CollectedCallSites";

        /// <summary>Each [AgentTool] method described for an AIFunction.</summary>
        public const string AgentTools = "AgentTools";

        /// <summary>All agent tools, collected.</summary>
        public const string CollectedAgentTools = "CollectedAgentTools";

        /// <summary>Whether Microsoft.Extensions.AI.Abstractions is referenced.</summary>
        public const string AIFunctionsEnabled = "AIFunctionsEnabled";

        /// <summary>One model per generated file: a tool type's guards, interceptors and AIFunctions.</summary>
        public const string GuardFiles = "GuardFiles";

        /// <summary>Diagnostics about calls or tools the generator cannot handle.</summary>
        public const string Diagnostics = "Diagnostics";
    }
}
