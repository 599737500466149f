namespace AgentQuotas.Tools;

/// <summary>
/// What a model reads when a tool call it asked for did not run: the kind of refusal, why, and when a retry
/// could succeed. Integrations return it as the function result (serialized as JSON), so a model can tell the
/// user the truth and retry at the right time instead of failing blindly.
/// </summary>
public sealed class ToolRefusal
{
    internal ToolRefusal(string error, string tool, QuotaReason? reason, DegradationMode? mode, TimeSpan? retryAfter, string message)
    {
        Error = error;
        Tool = tool;
        Reason = reason?.ToString();
        Mode = mode?.ToString();
        RetryAfterSeconds = retryAfter?.TotalSeconds;
        Message = message;
    }

    /// <summary>The refusal a model should read for a denial a guarded call threw (for example by a generated AIFunction).</summary>
    /// <param name="exception">The denial.</param>
    public static ToolRefusal From(QuotaExceededException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new ToolRefusal("quota", exception.Tool, exception.Reason, exception.Mode, exception.RetryAfter, exception.Message);
    }

    /// <summary>The refusal a model should read when it sent arguments a tool cannot take.</summary>
    /// <param name="exception">What is wrong with the arguments.</param>
    public static ToolRefusal From(Guard.ToolArgumentException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new ToolRefusal("invalid_arguments", exception.Tool, reason: null, mode: null, retryAfter: null,
            exception.Message + " Nothing was charged; correct the arguments and call again.");
    }

    /// <summary><c>quota</c> (the gate denied it), <c>unknown_tool</c> or <c>invalid_arguments</c>.</summary>
    public string Error { get; }

    /// <summary>The tool name.</summary>
    public string Tool { get; }

    /// <summary>The gate's reason, e.g. <c>BucketExhausted</c>; <see langword="null"/> for other refusals.</summary>
    public string? Reason { get; }

    /// <summary>The degradation mode, e.g. <c>ApprovalRequired</c> or <c>Rejected</c>.</summary>
    public string? Mode { get; }

    /// <summary>Seconds until a retry could succeed; <see langword="null"/> when waiting cannot help.</summary>
    public double? RetryAfterSeconds { get; }

    /// <summary>A sentence the model can act on: what was refused, why, and what to do.</summary>
    public string Message { get; }

    /// <summary>Always <see langword="false"/>: nothing ran.</summary>
    public bool Ran => false;

    /// <inheritdoc/>
    public override string ToString() => Message;
}
