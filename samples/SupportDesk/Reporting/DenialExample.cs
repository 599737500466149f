using AgentQuotas;

namespace SupportDesk.Reporting;

/// <summary>One refused tool call (or model turn) as the agent received it: the exception's reason, <c>RetryAfter</c> and message.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Tool">The tool, or <c>chat (model turn)</c>.</param>
/// <param name="Reason">Why it was refused.</param>
/// <param name="RetryAfter">When a retry could succeed, if waiting helps.</param>
/// <param name="Message">The message the model was given.</param>
public sealed record DenialExample(string Tenant, string Tool, QuotaReason Reason, TimeSpan? RetryAfter, string Message);
