namespace SupportDesk.Workload;

/// <summary>
/// How one tenant behaves in the simulation: what it sends, at which classes, how often, whether it bursts, whether
/// its agent runs away, and how its refunds are approved. Its tier comes from agentquotas.json, not from here.
/// </summary>
public sealed record TenantProfile
{
    /// <summary>The tenant id (as in agentquotas.json).</summary>
    public required string Tenant { get; init; }

    /// <summary>One line about the tenant for the report.</summary>
    public required string Role { get; init; }

    /// <summary>What the tenant's conversations are, and at which classes.</summary>
    public required IReadOnlyList<ConversationMix> Mix { get; init; }

    /// <summary>Mean time between conversations (arrivals are a Poisson process).</summary>
    public required TimeSpan MeanInterval { get; init; }

    /// <summary>Bursts of extra conversations, if the tenant is noisy.</summary>
    public BurstPattern? Burst { get; init; }

    /// <summary>
    /// From this fraction of the run on (0 to 1), the tenant's agent runs away: every conversation is an
    /// <see cref="ConversationKind.Investigation"/> and they come every <see cref="RunawayInterval"/>.
    /// </summary>
    public double? RunawayFrom { get; init; }

    /// <summary>Mean time between conversations once the tenant runs away.</summary>
    public TimeSpan RunawayInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How the tenant's refunds are approved.</summary>
    public RefundApproval RefundApproval { get; init; }
}
