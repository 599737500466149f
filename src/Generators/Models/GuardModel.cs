using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>What the guard of one tool needs: its quota descriptor, cost and fallback.</summary>
    /// <param name="ToolName">The name recorded in audit (the [AgentTool] name, else Type.Method).</param>
    /// <param name="Category">The quota category, or null when the tool has none (the guard then fails at run time; analyzers report AQ0001).</param>
    /// <param name="IsPrivileged">[Privileged].</param>
    /// <param name="RequiresApproval">[Privileged(RequiresApproval = true)].</param>
    /// <param name="FixedCost">The [Cost(units)] value (0 when an estimator computes it).</param>
    /// <param name="Estimator">The estimator, when [Cost(Estimator = ...)] names a usable one.</param>
    /// <param name="EstimatorArguments">How many leading arguments the estimator takes.</param>
    /// <param name="Fallbacks">The usable fallbacks [Fallback] names, in the order they are tried (empty when none).</param>
    /// <param name="Problem">Why the guard cannot run (missing category, cost or estimator): the guard throws this at run time, failing closed.</param>
    internal sealed record GuardModel(
        string ToolName,
        string? Category,
        bool IsPrivileged,
        bool RequiresApproval,
        double FixedCost,
        MemberCallModel? Estimator,
        int EstimatorArguments,
        EquatableArray<MemberCallModel> Fallbacks,
        string? Problem)
    {
        /// <summary>The first fallback, or null when there is none.</summary>
        public MemberCallModel? Fallback => Fallbacks.Count > 0 ? Fallbacks[0] : null;
    }
}
