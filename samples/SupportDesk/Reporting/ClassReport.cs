using AgentQuotas;

namespace SupportDesk.Reporting;

/// <summary>Everything the run did for one workload class, over all tenants.</summary>
public sealed record ClassReport
{
    /// <summary>The class.</summary>
    public required WorkloadClass Class { get; init; }

    /// <summary>Tenants that sent work at this class.</summary>
    public required IReadOnlyList<string> Tenants { get; init; }

    /// <summary>Conversations of the class.</summary>
    public required ConversationCounts Conversations { get; init; }

    /// <summary>The gate's decisions on tool calls of the class.</summary>
    public required CallCounts Calls { get; init; }

    /// <summary>How long admitted tool calls of the class waited.</summary>
    public required QueueWaitStats QueueWait { get; init; }

    /// <summary>Cost units spent by the class.</summary>
    public required double Cost { get; init; }
}
