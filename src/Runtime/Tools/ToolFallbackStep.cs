namespace AgentQuotas.Tools;

/// <summary>One entry of a tool's ordered fallback chain (<see cref="ToolDescriptor.FallbackChain"/>).</summary>
/// <param name="Fallback">Runs the fallback with the denied call's arguments.</param>
/// <param name="NeedsTarget">Whether the fallback is an instance method, so it needs the tool's instance (<see cref="ToolCall.Target"/>).</param>
public sealed record ToolFallbackStep(ToolFallback Fallback, bool NeedsTarget);
