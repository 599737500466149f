namespace AgentQuotas;

/// <summary>
/// Caps of one <see cref="AgentRun"/>. Each is tightened by the tenant tier's limit (the tighter wins);
/// <see langword="null"/> means "no cap of the run's own".
/// </summary>
public sealed record RunLimits
{
    /// <summary>Most iterations (model turns).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Most guarded tool calls, counting those of child runs.</summary>
    public int? MaxToolCalls { get; init; }

    /// <summary>Most cost units, counting those of child runs.</summary>
    public double? MaxCost { get; init; }

    /// <summary>How long the run may take before every further call is denied.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Builds limits from <see cref="AgentLoopAttribute"/> values, where <c>0</c> means "none".
    /// Generated code calls this once per loop method and caches the result.
    /// </summary>
    /// <param name="maxIterations">Most iterations, or 0.</param>
    /// <param name="maxToolCalls">Most tool calls, or 0.</param>
    /// <param name="maxCost">Most cost units, or 0.</param>
    public static RunLimits FromAgentLoop(int maxIterations, int maxToolCalls, double maxCost)
    {
        var limits = new RunLimits
        {
            MaxIterations = maxIterations > 0 ? maxIterations : null,
            MaxToolCalls = maxToolCalls > 0 ? maxToolCalls : null,
            MaxCost = maxCost > 0 ? maxCost : null,
        };
        limits.Validate();
        return limits;
    }

    internal void Validate()
    {
        if (MaxIterations is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        }

        if (MaxToolCalls is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxToolCalls), MaxToolCalls, "MaxToolCalls must be at least 1.");
        }

        if (MaxCost is double cost && (!double.IsFinite(cost) || cost <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCost), MaxCost, "MaxCost must be a finite number greater than zero.");
        }

        if (Timeout is TimeSpan t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be positive.");
        }
    }
}
