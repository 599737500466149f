using AgentQuotas;

namespace SupportDesk.Reporting;

/// <summary>What became of the conversations (agent runs), as the agent saw them.</summary>
public sealed record ConversationCounts
{
    /// <summary>Conversations started.</summary>
    public int Started { get; init; }

    /// <summary>Conversations the model answered.</summary>
    public int Answered { get; init; }

    /// <summary>Conversations the gate stopped by refusing a model turn.</summary>
    public int Stopped { get; init; }

    /// <summary>Conversations still running when the simulation ended, cancelled.</summary>
    public int CutOff { get; init; }

    /// <summary>Why conversations were stopped: RunIterationLimit is the [AgentLoop] cap, BucketExhausted the model budget.</summary>
    public IReadOnlyDictionary<QuotaReason, int> StoppedBy { get; init; } = new SortedDictionary<QuotaReason, int>();

    /// <summary>Model turns taken.</summary>
    public int Turns { get; init; }

    /// <summary>Turns answered without tools because the run's tool budget was spent.</summary>
    public int TurnsWithoutTools { get; init; }

    /// <summary>Refused tool calls and model turns whose refusal said when to retry (<c>RetryAfter</c>).</summary>
    public int DenialsWithRetryAfter { get; init; }

    /// <summary>Answered share of the conversations that ended (answered, stopped or cut off); 0 when none.</summary>
    public double AnsweredShare => Started == 0 ? 0 : (double)Answered / Started;
}
