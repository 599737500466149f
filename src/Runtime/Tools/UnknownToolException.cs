namespace AgentQuotas.Tools;

/// <summary>
/// A framework asked to call a tool that is neither annotated nor covered by the policy's <c>tools</c> section,
/// so AgentQuotas refused it (fail closed). The message names the tool and the fix.
/// </summary>
public sealed class UnknownToolException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tool">The tool name.</param>
    /// <param name="message">What was refused and how to fix it.</param>
    public UnknownToolException(string tool, string message)
        : base(message)
    {
        Tool = tool;
    }

    /// <summary>The tool that was refused.</summary>
    public string Tool { get; }
}
