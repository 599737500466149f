using AgentQuotas;

namespace SupportDesk.Agent;

/// <summary>The end of one conversation: the answer (or why there is none) and every tool call on the way.</summary>
public sealed record AgentAnswer
{
    /// <summary>How the conversation ended.</summary>
    public required AnswerStatus Status { get; init; }

    /// <summary>The model's final answer, or what stopped the loop.</summary>
    public required string Text { get; init; }

    /// <summary>Model turns taken.</summary>
    public required int Turns { get; init; }

    /// <summary>Turns the model answered without tools because the run's tool budget was spent.</summary>
    public int TurnsWithoutTools { get; init; }

    /// <summary>The tool calls, in order.</summary>
    public required IReadOnlyList<ToolCallRecord> ToolCalls { get; init; }

    /// <summary>Why the gate stopped the loop, when <see cref="Status"/> is <see cref="AnswerStatus.Stopped"/>.</summary>
    public QuotaReason? StopReason { get; init; }

    /// <summary>When the stopped work could be retried, if waiting helps.</summary>
    public TimeSpan? StopRetryAfter { get; init; }
}
