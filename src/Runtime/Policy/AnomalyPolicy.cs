namespace AgentQuotas.Policy;

/// <summary>Spend-anomaly detection: flag a tenant whose cost rate exceeds <see cref="Factor"/> times its own baseline.</summary>
public sealed class AnomalyPolicy
{
    internal AnomalyPolicy(double factor, TimeSpan window, string? quarantineTier)
    {
        Factor = factor;
        Window = window;
        QuarantineTier = quarantineTier;
    }

    /// <summary>How many times its baseline a tenant's cost rate may reach before it is flagged (greater than 1).</summary>
    public double Factor { get; }

    /// <summary>The window over which the baseline moves.</summary>
    public TimeSpan Window { get; }

    /// <summary>The tighter tier a flagged tenant moves to until reviewed; <see langword="null"/> to flag only.</summary>
    public string? QuarantineTier { get; }
}
