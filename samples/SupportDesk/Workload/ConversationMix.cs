using AgentQuotas;

namespace SupportDesk.Workload;

/// <summary>One entry of a tenant's workload mix: a kind of conversation, the class it is sent at, and how often.</summary>
/// <param name="Kind">The kind of conversation.</param>
/// <param name="Class">The workload class its runs are opened with.</param>
/// <param name="Weight">Its relative frequency (greater than zero).</param>
public sealed record ConversationMix(ConversationKind Kind, WorkloadClass Class, double Weight);
