using AgentQuotas.Guard;

namespace AgentQuotas.Tools;

/// <summary>
/// The end of one guarded tool call: the tool's result, a fallback's draft, or a refusal with its reason and
/// <c>RetryAfter</c>. Each integration turns it into what its framework's model sees (<see cref="ToModelResult"/>).
/// A tool that throws, or a cancelled call, is not a result: the exception propagates as for a direct call.
/// </summary>
public sealed class ToolCallResult
{
    private ToolCallResult(ToolCallOutcome outcome, string toolName, ToolDescriptor? tool, object? value, QuotaDecision? decision, DegradedCall? degradation, string message)
    {
        Outcome = outcome;
        ToolName = toolName;
        Tool = tool;
        Value = value;
        Decision = decision;
        Degradation = degradation;
        Message = message;
    }

    /// <summary>What became of the call.</summary>
    public ToolCallOutcome Outcome { get; }

    /// <summary>The tool name the framework used.</summary>
    public string ToolName { get; }

    /// <summary>The tool's descriptor; <see langword="null"/> for an unknown tool.</summary>
    public ToolDescriptor? Tool { get; }

    /// <summary>The tool's result (<see cref="ToolCallOutcome.Ran"/>) or the fallback's (<see cref="ToolCallOutcome.Drafted"/>).</summary>
    public object? Value { get; }

    /// <summary>The gate's decision, when the gate was asked.</summary>
    public QuotaDecision? Decision { get; }

    /// <summary>The degraded call, when a fallback served it.</summary>
    public DegradedCall? Degradation { get; }

    /// <summary>Why the call did not run in full, when it did not.</summary>
    public QuotaReason? Reason => Decision is { IsAdmitted: false } d ? d.Reason : null;

    /// <summary>When a retry of the real tool could succeed; <see langword="null"/> when waiting cannot help.</summary>
    public TimeSpan? RetryAfter => Decision?.RetryAfter;

    /// <summary>Whether the tool itself ran.</summary>
    public bool Ran => Outcome == ToolCallOutcome.Ran;

    /// <summary>An explanation for a model or a person (for <see cref="ToolCallOutcome.Ran"/>, a short confirmation).</summary>
    public string Message { get; }

    /// <summary>
    /// The value a model should see: the tool's result when it ran, a <see cref="FallbackToolResult"/> (the draft, plainly
    /// marked) when a fallback served it, otherwise a <see cref="ToolRefusal"/> with the reason and <c>RetryAfter</c>.
    /// </summary>
    public object? ToModelResult() => Outcome switch
    {
        ToolCallOutcome.Ran => Value,
        ToolCallOutcome.Drafted => Value is FallbackToolResult ? Value : new FallbackToolResult(Value, Degradation!),
        ToolCallOutcome.Denied => new ToolRefusal("quota", ToolName, Decision?.Reason, Decision?.Mode, Decision?.RetryAfter, Message),
        ToolCallOutcome.UnknownTool => new ToolRefusal("unknown_tool", ToolName, reason: QuotaReason.UnknownTool, DegradationMode.Rejected, retryAfter: null, Message),
        _ => new ToolRefusal("invalid_arguments", ToolName, reason: null, mode: null, retryAfter: null, Message),
    };

    /// <summary>The exception a direct call would have thrown for this refusal.</summary>
    /// <exception cref="InvalidOperationException">The tool ran or a fallback served it.</exception>
    public Exception ToException() => Outcome switch
    {
        ToolCallOutcome.Denied => Decision!.Value.ToException(),
        ToolCallOutcome.UnknownTool => new UnknownToolException(ToolName, Message),
        ToolCallOutcome.InvalidArguments => new ToolArgumentException(ToolName, "arguments", Message),
        _ => throw new InvalidOperationException("A call that was served has no exception."),
    };

    /// <inheritdoc/>
    public override string ToString() => Outcome + ": " + Message;

    internal static ToolCallResult ForRan(ToolDescriptor tool, string name, object? value, in QuotaDecision decision) =>
        new(ToolCallOutcome.Ran, name, tool, value, decision, degradation: null, "Ran " + name + ".");

    internal static ToolCallResult ForDrafted(ToolDescriptor tool, string name, object? value, DegradedCall degradation) =>
        new(ToolCallOutcome.Drafted, name, tool, value, degradation.Decision, degradation, degradation.Message);

    internal static ToolCallResult ForDenied(ToolDescriptor tool, string name, in QuotaDecision decision, string? note = null) =>
        new(ToolCallOutcome.Denied, name, tool, value: null, decision, degradation: null, QuotaMessages.Describe(decision) + (note is null ? string.Empty : " " + note));

    internal static ToolCallResult ForUnknown(string name, in QuotaDecision decision) =>
        new(ToolCallOutcome.UnknownTool, name, tool: null, value: null, decision, degradation: null, decision.Detail ?? "unknown tool");

    internal static ToolCallResult ForInvalidArguments(ToolDescriptor tool, string name, ToolArgumentException error) =>
        new(ToolCallOutcome.InvalidArguments, name, tool, value: null, decision: null, degradation: null, error.Message + " Nothing was charged; correct the arguments and call again.");
}
