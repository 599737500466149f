namespace AgentQuotas.Policy;

/// <summary>How one anomaly signal is judged: a tenant is flagged when the interval in progress exceeds <see cref="Factor"/> x its baseline.</summary>
public sealed class AnomalySignalPolicy
{
    internal AnomalySignalPolicy(double factor, double minBaseline)
    {
        Factor = factor;
        MinBaseline = minBaseline;
    }

    /// <summary>How many times its baseline the signal may reach before the tenant is flagged (greater than 1).</summary>
    public double Factor { get; }

    /// <summary>The smallest baseline (in the signal's units per window) against which it is judged. Default 0.</summary>
    public double MinBaseline { get; }
}
