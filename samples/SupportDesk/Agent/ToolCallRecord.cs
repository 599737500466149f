using AgentQuotas;

namespace SupportDesk.Agent;

/// <summary>One tool call of a conversation, as the agent saw it.</summary>
/// <param name="Tool">The tool name the model used.</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Reason">The gate's reason for a draft or a refusal.</param>
/// <param name="RetryAfter">When a refused call could succeed, if waiting helps.</param>
/// <param name="Message">The gate's explanation, as given to the model.</param>
public sealed record ToolCallRecord(string Tool, ToolCallOutcome Outcome, QuotaReason? Reason = null, TimeSpan? RetryAfter = null, string? Message = null);
