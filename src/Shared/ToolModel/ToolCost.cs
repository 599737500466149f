// Shared by the analyzers and the generator (netstandard2.0).
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>Where a cost problem is best shown: on the attribute, its units or its Estimator argument.</summary>
    internal enum CostProblemSite
    {
        /// <summary>The [Cost] attribute as a whole.</summary>
        Attribute,

        /// <summary>The units argument.</summary>
        Units,

        /// <summary>The Estimator named argument.</summary>
        Estimator,
    }

    /// <summary>What a tool's [Cost] (own or inherited) says: fixed units or an estimator, or why it is unusable.</summary>
    internal sealed class ToolCost
    {
        public ToolCost(FoundAttribute? declaration, double units, IMethodSymbol? estimator, bool estimatorAccessible, string? problem, CostProblemSite site)
        {
            Declaration = declaration;
            Units = units;
            Estimator = estimator;
            EstimatorAccessible = estimatorAccessible;
            Problem = problem;
            Site = site;
        }

        /// <summary>The [Cost] that applies, or null when the tool has none.</summary>
        public FoundAttribute? Declaration { get; }

        /// <summary>The fixed cost (0 when an estimator computes it or the cost is unusable).</summary>
        public double Units { get; }

        /// <summary>The estimator, when [Cost(Estimator = ...)] names a usable one.</summary>
        public IMethodSymbol? Estimator { get; }

        /// <summary>How many leading arguments of the tool the estimator takes.</summary>
        public int EstimatorArguments => Estimator?.Parameters.Length ?? 0;

        /// <summary>Whether generated code may call the estimator directly (else through [UnsafeAccessor]).</summary>
        public bool EstimatorAccessible { get; }

        /// <summary>Why the cost is unusable (AQ0006), as a clause ("the cost must be ..."); null when usable or absent.</summary>
        public string? Problem { get; }

        /// <summary>Where <see cref="Problem"/> is best shown.</summary>
        public CostProblemSite Site { get; }

        /// <summary>Whether the value is a fixed cost or an estimator the guard can use.</summary>
        public bool IsUsable => Declaration != null && Problem == null;
    }
}
