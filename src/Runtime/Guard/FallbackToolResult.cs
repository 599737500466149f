namespace AgentQuotas.Guard;

/// <summary>
/// What a generated <c>AIFunction</c> returns to the model when the tool was denied and its fallback
/// answered instead: the fallback's result, plainly marked as degraded, with the reason and when the
/// real tool could be retried, so the model does not present a draft as the real thing.
/// </summary>
public sealed class FallbackToolResult
{
    /// <summary>Creates the result.</summary>
    /// <param name="result">The fallback's result.</param>
    /// <param name="degradation">The degraded call.</param>
    public FallbackToolResult(object? result, DegradedCall degradation)
    {
        ArgumentNullException.ThrowIfNull(degradation);
        Result = result;
        Mode = degradation.Mode.ToString();
        Reason = degradation.Reason.ToString();
        Message = degradation.Message;
        RetryAfterSeconds = degradation.RetryAfter?.TotalSeconds;
    }

    /// <summary>Always <see langword="true"/>: the tool itself did not run.</summary>
    public bool Degraded => true;

    /// <summary>The rung that served the call, e.g. <c>DraftOnly</c>.</summary>
    public string Mode { get; }

    /// <summary>Why the tool did not run, e.g. <c>BucketExhausted</c>.</summary>
    public string Reason { get; }

    /// <summary>A sentence explaining the denial.</summary>
    public string Message { get; }

    /// <summary>Seconds until the real tool could succeed, if waiting helps.</summary>
    public double? RetryAfterSeconds { get; }

    /// <summary>The fallback's result.</summary>
    public object? Result { get; }

    /// <inheritdoc/>
    public override string ToString() => $"[degraded: {Mode}, {Reason}] {Result}";
}
