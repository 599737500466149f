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
