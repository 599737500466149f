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
    /// <param name="Fallback">The fallback, when [Fallback] names a usable one.</param>
    /// <param name="Problem">Why the guard cannot run (missing category, cost or estimator): the guard throws this at run time, failing closed.</param>
    internal sealed record GuardModel(
        string ToolName,
        string? Category,
        bool IsPrivileged,
        bool RequiresApproval,
        double FixedCost,
        MemberCallModel? Estimator,
        int EstimatorArguments,
        MemberCallModel? Fallback,
        string? Problem);
}
