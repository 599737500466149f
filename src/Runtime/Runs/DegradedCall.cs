namespace AgentQuotas;

/// <summary>
/// A guarded call that was served by its <see cref="FallbackAttribute">fallback</see> instead of the tool:
/// which tool, which rung of the degradation ladder and why. Recorded on the run (and its ancestors) so
/// the caller can tell a draft from the real thing; see <see cref="AgentRun.LastDegradation"/>.
/// </summary>
public sealed class DegradedCall
{
    internal DegradedCall(QuotaDecision decision, DateTimeOffset timestamp)
    {
        Decision = decision;
        Timestamp = timestamp;
        Message = QuotaMessages.Describe(decision);
    }

    /// <summary>The denying decision that sent the call to the fallback.</summary>
    public QuotaDecision Decision { get; }

    /// <summary>The tool whose fallback ran.</summary>
    public string Tool => Decision.Tool;

    /// <summary>The rung that served the call (<see cref="DegradationMode.DraftOnly"/> for a fallback).</summary>
    public DegradationMode Mode => Decision.Mode;

    /// <summary>Why the tool itself did not run.</summary>
    public QuotaReason Reason => Decision.Reason;

    /// <summary>When a retry of the real tool could succeed; <see langword="null"/> when waiting cannot help.</summary>
    public TimeSpan? RetryAfter => Decision.RetryAfter;

    /// <summary>When the call was degraded (the gate's clock).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>A sentence a person (or a model) can act on: what was denied, why, and when to retry.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => "Served by fallback (" + Mode + "): " + Message;
}
