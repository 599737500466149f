using AgentQuotas;

namespace SupportDesk.Reporting;

/// <summary>Everything the run did for one tenant.</summary>
public sealed record TenantReport
{
    /// <summary>The tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Its tier in agentquotas.json.</summary>
    public required string Tier { get; init; }

    /// <summary>What kind of tenant it is in the simulation.</summary>
    public required string Role { get; init; }

    /// <summary>The classes its conversations were sent at.</summary>
    public required IReadOnlyList<WorkloadClass> Classes { get; init; }

    /// <summary>Its conversations.</summary>
    public required ConversationCounts Conversations { get; init; }

    /// <summary>The gate's decisions on its tool calls.</summary>
    public required CallCounts Calls { get; init; }

    /// <summary>How long its admitted tool calls waited.</summary>
    public required QueueWaitStats QueueWait { get; init; }

    /// <summary>Cost units spent (actual costs of completed tool calls, planned costs of failed ones, and model tokens).</summary>
    public required double Cost { get; init; }

    /// <summary><see cref="Cost"/> by quota category.</summary>
    public required IReadOnlyDictionary<string, double> CostByCategory { get; init; }

    /// <summary>What the systems behind the tools did.</summary>
    public required TenantActivityView Activity { get; init; }

    /// <summary>The anomaly flagged for the tenant, if any.</summary>
    public AnomalyReport? Anomaly { get; init; }

    /// <summary>The first refused tool call or model turn that carried <c>RetryAfter</c>, if any.</summary>
    public DenialExample? FirstDenialWithRetryAfter { get; init; }
}
