namespace AgentQuotas.Policy;

/// <summary>A tier's per-run and per-tenant ceilings. <see langword="null"/> means "no limit".</summary>
public sealed class TierLimits
{
    internal static readonly TierLimits None = new(null, null, null, null, null);

    internal TierLimits(int? maxIterations, int? maxToolCalls, double? maxCostPerRun, double? maxCostPerDay, double? maxCostPerMonth)
    {
        MaxIterations = maxIterations;
        MaxToolCalls = maxToolCalls;
        MaxCostPerRun = maxCostPerRun;
        MaxCostPerDay = maxCostPerDay;
        MaxCostPerMonth = maxCostPerMonth;
    }

    /// <summary>Most iterations (model turns) per run.</summary>
    public int? MaxIterations { get; }

    /// <summary>Most guarded tool calls per run.</summary>
    public int? MaxToolCalls { get; }

    /// <summary>Most cost units per run.</summary>
    public double? MaxCostPerRun { get; }

    /// <summary>Most cost units per tenant per UTC day, across all categories.</summary>
    public double? MaxCostPerDay { get; }

    /// <summary>Most cost units per tenant per UTC calendar month, across all categories.</summary>
    public double? MaxCostPerMonth { get; }
}
