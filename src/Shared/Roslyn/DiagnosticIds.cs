// Shared by the analyzers and the generator (netstandard2.0). IDs are stable: never reuse one.
namespace AgentQuotas.Diagnostics
{
    /// <summary>Diagnostic ids, named by intent. See docs/rules/AQxxxx.md for each.</summary>
    internal static class DiagnosticIds
    {
        /// <summary>An agent tool has no [Cost], or a cost but no category.</summary>
        public const string MissingBudget = "AQ0001";

        /// <summary>A category used in code has no budget in agentquotas.json.</summary>
        public const string CategoryNotInPolicy = "AQ0002";

        /// <summary>An agent loop (calling a guarded tool or a chat model) has no bound.</summary>
        public const string UnboundedAgentLoop = "AQ0003";

        /// <summary>A privileged tool lacks a budget or is used where the guard cannot wrap it.</summary>
        public const string UnguardedPrivilegedTool = "AQ0004";

        /// <summary>A [Fallback] target is missing, inaccessible, mismatched or privileged.</summary>
        public const string InvalidFallback = "AQ0005";

        /// <summary>A cost is not a finite number greater than zero, or its estimator is wrong.</summary>
        public const string InvalidCost = "AQ0006";

        /// <summary>A guarded tool is used as a delegate or method group, so its calls are not wrapped.</summary>
        public const string GuardedToolAsDelegate = "AQ0007";

        /// <summary>agentquotas.json is invalid.</summary>
        public const string InvalidPolicyFile = "AQ0008";

        /// <summary>A tool's cost exceeds its bucket's capacity.</summary>
        public const string CostExceedsCapacity = "AQ0009";

        /// <summary>Tools are annotated but no agentquotas.json is among AdditionalFiles.</summary>
        public const string MissingPolicyFile = "AQ0010";

        /// <summary>Guarded calls exist but interceptors are not enabled for the generated namespace.</summary>
        public const string InterceptorsNotEnabled = "AQ0011";

        /// <summary>An [AgentLoop] cap exceeds the policy's maxIterations in every tier.</summary>
        public const string LoopCapExceedsPolicy = "AQ0012";

        /// <summary>Code passes a literal workload class above what the policy lets any tenant (or the named workflow) run at.</summary>
        public const string ClassAboveCeiling = "AQ0013";
    }
}
