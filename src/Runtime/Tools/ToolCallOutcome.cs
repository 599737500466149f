namespace AgentQuotas.Tools;

/// <summary>What became of a tool call that went through <see cref="GuardedToolInvoker"/>.</summary>
public enum ToolCallOutcome
{
    /// <summary>The gate admitted the call and the tool ran (at once or after waiting in a queue).</summary>
    Ran = 0,

    /// <summary>The gate denied the call and the tool's fallback served a draft instead (DraftOnly).</summary>
    Drafted = 1,

    /// <summary>The gate denied the call and nothing served it: see the reason and <c>RetryAfter</c>.</summary>
    Denied = 2,

    /// <summary>The tool is neither annotated nor covered by the policy's <c>tools</c> section: refused, nothing ran.</summary>
    UnknownTool = 3,

    /// <summary>An argument the guard needed (for the cost estimate or the fallback) is missing or has the wrong type; nothing was charged.</summary>
    InvalidArguments = 4,
}
