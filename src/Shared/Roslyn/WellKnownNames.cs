// Shared by the analyzers and the generator (netstandard2.0): the metadata names they look for.
namespace AgentQuotas.Diagnostics
{
    /// <summary>Fully qualified metadata names of the runtime's attributes and types.</summary>
    internal static class WellKnownNames
    {
        public const string AgentToolAttribute = "AgentQuotas.AgentToolAttribute";
        public const string QuotaCategoryAttribute = "AgentQuotas.QuotaCategoryAttribute";
        public const string CostAttribute = "AgentQuotas.CostAttribute";
        public const string PrivilegedAttribute = "AgentQuotas.PrivilegedAttribute";
        public const string FallbackAttribute = "AgentQuotas.FallbackAttribute";
        public const string AgentLoopAttribute = "AgentQuotas.AgentLoopAttribute";
        public const string ActualCostInterface = "AgentQuotas.IActualCost";
        public const string ChatClientInterface = "Microsoft.Extensions.AI.IChatClient";
        public const string AIFunction = "Microsoft.Extensions.AI.AIFunction";

        /// <summary>The namespace generated interceptors live in; InterceptorsNamespaces must list it.</summary>
        public const string GeneratedNamespace = "AgentQuotas.Generated";

        /// <summary>The policy file name looked for among AdditionalFiles.</summary>
        public const string PolicyFileName = "agentquotas.json";
    }
}
