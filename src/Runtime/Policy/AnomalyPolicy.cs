namespace AgentQuotas.Policy;

/// <summary>
/// Spend-anomaly detection: flag a tenant whose cost rate exceeds <see cref="Factor"/> times its own
/// baseline (its average rate over the last <see cref="Window"/>), and optionally move it to a tighter tier. The request
/// rate (<see cref="Requests"/>) and token growth (<see cref="Tokens"/>) can be watched too, each with its own factor.
/// </summary>
public sealed class AnomalyPolicy
{
    private readonly AnomalySignalPolicy _spend;

    internal AnomalyPolicy(double factor, TimeSpan window, string? quarantineTier, TimeSpan? interval = null, double minBaseline = 0)
    {
        Factor = factor;
        Window = window;
        QuarantineTier = quarantineTier;
        Interval = interval ?? Schema.PolicySchemaValidator.DefaultInterval(window);
        MinBaseline = minBaseline;
        _spend = new AnomalySignalPolicy(factor, minBaseline);
    }

    /// <summary>How many times its baseline a tenant's cost rate may reach before it is flagged (greater than 1).</summary>
    public double Factor { get; }

    /// <summary>The window over which the baseline moves.</summary>
    public TimeSpan Window { get; }

    /// <summary>The tighter tier a flagged tenant moves to until reviewed; <see langword="null"/> to flag only.</summary>
    public string? QuarantineTier { get; }

    /// <summary>
    /// The length of one measuring interval: the current rate is the cost of the interval in progress, the
    /// baseline is the mean over the window's completed intervals. Default: <see cref="Window"/> / 12.
    /// </summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// The smallest baseline (cost units per <see cref="Window"/>) against which anomalies are judged, so a
    /// nearly idle tenant is not flagged for a handful of calls. Default 0 (any positive baseline).
    /// </summary>
    public double MinBaseline { get; }

    /// <summary>
    /// Request-rate detection (admitted calls per interval), with its own factor, on the same window and interval;
    /// <see langword="null"/> when the policy watches spend only.
    /// </summary>
    public AnomalySignalPolicy? Requests { get; internal init; }

    /// <summary>
    /// Token-growth detection (model tokens charged per interval), with its own factor, on the same window and interval;
    /// <see langword="null"/> when the policy does not watch tokens.
    /// </summary>
    public AnomalySignalPolicy? Tokens { get; internal init; }

    /// <summary>The factor and smallest baseline of <paramref name="signal"/>, or <see langword="null"/> when it is not watched.</summary>
    /// <param name="signal">The signal.</param>
    public AnomalySignalPolicy? For(AnomalySignal signal) => signal switch
    {
        AnomalySignal.Spend => _spend,
        AnomalySignal.Requests => Requests,
        AnomalySignal.Tokens => Tokens,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "Unknown anomaly signal."),
    };
}
