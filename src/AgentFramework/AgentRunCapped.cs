namespace AgentQuotas.Agents.AI;

/// <summary>
/// Says that an agent run was ended by a limit before the model gave its own last answer: the run's iteration cap (its
/// own, an <c>[AgentLoop]</c>'s or the tier's) or the function-invoking client's <c>MaximumIterationsPerRequest</c>,
/// whichever was tighter. Found in the <c>AgentResponse.AdditionalProperties</c> under <see cref="AgentQuotasAgent.CappedKey"/>.
/// </summary>
public sealed class AgentRunCapped
{
    internal AgentRunCapped(string runId, string limit, QuotaReason reason, string message)
    {
        RunId = runId;
        Limit = limit;
        Reason = reason;
        Message = message;
    }

    /// <summary>The agent run.</summary>
    public string RunId { get; }

    /// <summary><c>RunIterationLimit</c> (the run's cap) or <c>MaximumIterationsPerRequest</c> (the function-invoking client's).</summary>
    public string Limit { get; }

    /// <summary>The quota reason (<see cref="QuotaReason.RunIterationLimit"/>).</summary>
    public QuotaReason Reason { get; }

    /// <summary>The explanation.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
