namespace AgentQuotas;

/// <summary>
/// The cost of one call to a tool, in units taken from the tenant's bucket for the tool's category:
/// either fixed (<c>[Cost(20)]</c>) or computed from the call's arguments by a static estimator
/// (<c>[Cost(Estimator = nameof(EstimateCost))]</c>).
/// </summary>
/// <remarks>
/// The estimator is a static method of the same type, with the same parameters as the tool (or a
/// prefix of them) and a <see cref="double"/> result; it must return a finite number greater than
/// zero (analyzer AQ0006, and a runtime check).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CostAttribute : Attribute
{
    /// <summary>Creates a cost attribute whose cost comes from <see cref="Estimator"/>.</summary>
    public CostAttribute()
    {
    }

    /// <summary>Creates a fixed-cost attribute.</summary>
    /// <param name="units">Units per call; a finite number greater than zero.</param>
    public CostAttribute(double units)
    {
        Units = units;
    }

    /// <summary>Units per call when the cost is fixed; <c>0</c> when <see cref="Estimator"/> computes it.</summary>
    public double Units { get; }

    /// <summary>Name of a static method that computes the cost from the call's arguments.</summary>
    public string? Estimator { get; set; }
}
