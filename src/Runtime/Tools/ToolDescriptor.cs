using System.Reflection;
using AgentQuotas.Policy;

namespace AgentQuotas.Tools;

/// <summary>
/// Everything a framework integration needs to guard one tool without reflection at call time: its name, the
/// category that pays, the cost (fixed, or estimated from the call's arguments), whether it is privileged or
/// needs approval, and its fallback. Generated code registers one per annotated method in
/// <see cref="ToolRegistry.Default"/>; the policy's <c>tools</c> section yields one per unannotated tool.
/// </summary>
public sealed class ToolDescriptor
{
    private QuotaTool? _quotaTool;

    /// <summary>Describes a tool with a fixed cost.</summary>
    /// <param name="name">The tool name (as models and audit see it).</param>
    /// <param name="category">The quota category that pays for its calls.</param>
    /// <param name="cost">The cost of one call: finite and greater than zero.</param>
    /// <param name="isPrivileged">Whether the tool is privileged.</param>
    /// <param name="requiresApproval">Whether each call needs approval first (implies privileged).</param>
    /// <exception cref="ArgumentException">The name or category is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is not a finite number greater than zero.</exception>
    public ToolDescriptor(string name, string category, double cost, bool isPrivileged = false, bool requiresApproval = false)
        : this(name, category, isPrivileged, requiresApproval)
    {
        if (!double.IsFinite(cost) || cost <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, $"The cost of '{name}' must be a finite number greater than zero.");
        }

        FixedCost = cost;
    }

    /// <summary>Describes a tool whose cost is estimated from each call's arguments.</summary>
    /// <param name="name">The tool name (as models and audit see it).</param>
    /// <param name="category">The quota category that pays for its calls.</param>
    /// <param name="costEstimator">Computes the cost of a call from its arguments.</param>
    /// <param name="isPrivileged">Whether the tool is privileged.</param>
    /// <param name="requiresApproval">Whether each call needs approval first (implies privileged).</param>
    /// <exception cref="ArgumentException">The name or category is empty.</exception>
    public ToolDescriptor(string name, string category, ToolCostEstimator costEstimator, bool isPrivileged = false, bool requiresApproval = false)
        : this(name, category, isPrivileged, requiresApproval)
    {
        ArgumentNullException.ThrowIfNull(costEstimator);
        CostEstimator = costEstimator;
    }

    private ToolDescriptor(string name, string category, bool isPrivileged, bool requiresApproval)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        Name = name;
        Category = category;
        IsPrivileged = isPrivileged || requiresApproval;
        RequiresApproval = requiresApproval;
    }

    /// <summary>The tool name.</summary>
    public string Name { get; }

    /// <summary>The quota category that pays for the tool's calls.</summary>
    public string Category { get; }

    /// <summary>The fixed cost of one call, or <see langword="null"/> when <see cref="CostEstimator"/> computes it.</summary>
    public double? FixedCost { get; }

    /// <summary>Computes the cost from the arguments, or <see langword="null"/> for a fixed cost.</summary>
    public ToolCostEstimator? CostEstimator { get; }

    /// <summary>Whether the tool is privileged.</summary>
    public bool IsPrivileged { get; }

    /// <summary>Whether each call needs approval before it runs.</summary>
    public bool RequiresApproval { get; }

    /// <summary>The tool's fallback (DraftOnly), if it has one.</summary>
    public ToolFallback? Fallback { get; init; }

    /// <summary>Whether <see cref="Fallback"/> is an instance method, so it needs the tool's instance (<see cref="ToolCall.Target"/>).</summary>
    public bool FallbackNeedsTarget { get; init; }

    /// <summary>
    /// The tool's ordered fallback chain (<c>[Fallback(nameof(Draft), nameof(Summary))]</c>), tried in order: when one throws a
    /// <see cref="QuotaExceededException"/>, the next. Empty (the default) means the chain is <see cref="Fallback"/> alone.
    /// </summary>
    public IReadOnlyList<ToolFallbackStep> FallbackChain { get; init; } = [];

    /// <summary>The fallbacks tried in order when a call is degraded to DraftOnly: <see cref="FallbackChain"/>, else <see cref="Fallback"/>, else none.</summary>
    public IReadOnlyList<ToolFallbackStep> Fallbacks =>
        FallbackChain.Count > 0 ? FallbackChain : Fallback is ToolFallback fallback ? [new ToolFallbackStep(fallback, FallbackNeedsTarget)] : [];

    /// <summary>The annotated method, when the tool is one: how a framework's reflection-based function maps to it.</summary>
    public MethodInfo? Method { get; init; }

    /// <summary>A description for models, if known.</summary>
    public string? Description { get; init; }

    /// <summary>Where the quota comes from.</summary>
    public ToolSource Source { get; init; } = ToolSource.Explicit;

    /// <summary>The policy entry the descriptor was made from, when <see cref="Source"/> is <see cref="ToolSource.Policy"/>.</summary>
    public ToolQuotaRule? PolicyRule { get; internal init; }

    /// <summary>The gate's view of the tool, created once (so acquiring allocates nothing for it).</summary>
    public QuotaTool QuotaTool => _quotaTool ??= new QuotaTool(Name, Category, IsPrivileged, RequiresApproval, hasFallback: Fallback is not null || FallbackChain.Count > 0);

    /// <summary>The planned cost of a call with <paramref name="arguments"/>.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <returns>The fixed cost, or the estimator's answer (validated by the gate when acquiring).</returns>
    /// <exception cref="Guard.ToolArgumentException">The estimator could not read an argument.</exception>
    public double EstimateCost(IReadOnlyDictionary<string, object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return CostEstimator is null ? FixedCost!.Value : CostEstimator(arguments);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} ({Category}, {(FixedCost is double c ? "cost " + c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "estimated cost")}" +
        $"{(RequiresApproval ? ", requires approval" : IsPrivileged ? ", privileged" : string.Empty)}{(Fallbacks.Count == 0 ? string.Empty : Fallbacks.Count == 1 ? ", fallback" : $", {Fallbacks.Count} fallbacks")}, {Source})";
}
