namespace AgentQuotas.Extensions.AI;

/// <summary>
/// Says that a model turn was served in a degraded way and why: the turn was answered without tools because the run
/// had no tool calls left, because it was the last turn the run's iteration cap allows, or because the
/// function-invoking client reached its <c>MaximumIterationsPerRequest</c>. Found in the response's
/// <c>AdditionalProperties</c> under <see cref="GuardedChatClient.DegradationKey"/>.
/// </summary>
public sealed class ChatTurnDegradation
{
    /// <summary><see cref="Limit"/> when the run may make no more tool calls.</summary>
    public const string RunToolCallLimit = "RunToolCallLimit";

    /// <summary><see cref="Limit"/> when the run's iteration cap (its own, an <c>[AgentLoop]</c>'s or the tier's) allows no further turn.</summary>
    public const string RunIterationLimit = "RunIterationLimit";

    /// <summary><see cref="Limit"/> when the function-invoking client's <c>MaximumIterationsPerRequest</c> is reached first.</summary>
    public const string MaximumIterationsPerRequest = "MaximumIterationsPerRequest";

    internal ChatTurnDegradation(string runId, int withheldTools, string message, QuotaReason reason, string limit)
    {
        RunId = runId;
        WithheldTools = withheldTools;
        Message = message;
        Reason = reason;
        Limit = limit;
    }

    /// <summary>Why the turn was degraded: <see cref="QuotaReason.RunToolCallLimit"/> or <see cref="QuotaReason.RunIterationLimit"/>.</summary>
    public QuotaReason Reason { get; }

    /// <summary>
    /// Which limit ended the tool use, the tighter one: <see cref="RunToolCallLimit"/>, <see cref="RunIterationLimit"/> (the
    /// run's cap) or <see cref="MaximumIterationsPerRequest"/> (the function-invoking client's).
    /// </summary>
    public string Limit { get; }

    /// <summary>The rung of the degradation ladder: the answer is a draft made without tools.</summary>
    public DegradationMode Mode => DegradationMode.DraftOnly;

    /// <summary>The run whose budget is spent.</summary>
    public string RunId { get; }

    /// <summary>How many tools were withheld from the request (0 when the function-invoking client had already removed them).</summary>
    public int WithheldTools { get; }

    /// <summary>The explanation (also given to the model when this client withheld the tools).</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
