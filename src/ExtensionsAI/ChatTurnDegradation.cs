namespace AgentQuotas.Extensions.AI;

/// <summary>
/// Says that a model turn was served in a degraded way and why: the run had no tool calls left, so the
/// tools were withheld and the model answered without them. Found in the response's
/// <c>AdditionalProperties</c> under <see cref="GuardedChatClient.DegradationKey"/>.
/// </summary>
public sealed class ChatTurnDegradation
{
    internal ChatTurnDegradation(string runId, int withheldTools, string message)
    {
        RunId = runId;
        WithheldTools = withheldTools;
        Message = message;
    }

    /// <summary>Why the turn was degraded: the run reached its tool-call cap.</summary>
    public QuotaReason Reason => QuotaReason.RunToolCallLimit;

    /// <summary>The rung of the degradation ladder: the answer is a draft made without tools.</summary>
    public DegradationMode Mode => DegradationMode.DraftOnly;

    /// <summary>The run whose budget is spent.</summary>
    public string RunId { get; }

    /// <summary>How many tools were withheld from the request.</summary>
    public int WithheldTools { get; }

    /// <summary>The explanation (also given to the model).</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
