namespace AgentQuotas.Anomaly;

/// <summary>Describes an anomaly (of spend, request rate or token growth), for <see cref="QuotaGateOptions.OnAnomalyDetected"/>.</summary>
public sealed class AnomalyDetectedArguments
{
    internal AnomalyDetectedArguments(string tenant, double current, double baseline, double factor, TimeSpan interval, string? quarantineTier, string policyVersion, DateTimeOffset timestamp)
    {
        Tenant = tenant;
        Current = current;
        Baseline = baseline;
        Factor = factor;
        Interval = interval;
        QuarantineTier = quarantineTier;
        PolicyVersion = policyVersion;
        Timestamp = timestamp;
    }

    /// <summary>The tenant.</summary>
    public string Tenant { get; }

    /// <summary>The signal that flagged the tenant; <see cref="Current"/> and <see cref="Baseline"/> are in its units (cost units, calls or tokens).</summary>
    public Policy.AnomalySignal Signal { get; internal init; }

    /// <summary>Cost units charged in the interval in progress when the anomaly was seen.</summary>
    public double Current { get; }

    /// <summary>The tenant's baseline: mean cost units per interval over the window.</summary>
    public double Baseline { get; }

    /// <summary>The policy's factor that <see cref="Current"/> exceeded (as a multiple of <see cref="Baseline"/>).</summary>
    public double Factor { get; }

    /// <summary>The measuring interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The tier the tenant now runs under, or <see langword="null"/> when the policy only flags.</summary>
    public string? QuarantineTier { get; }

    /// <summary>The deciding policy's version.</summary>
    public string PolicyVersion { get; }

    /// <summary>When it was detected (UTC).</summary>
    public DateTimeOffset Timestamp { get; }
}
