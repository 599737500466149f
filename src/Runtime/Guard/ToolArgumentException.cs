namespace AgentQuotas.Guard;

/// <summary>
/// An argument passed to a guarded tool by a model (through a generated <c>AIFunction</c>) is missing or
/// cannot be read as the parameter's type. The message names the tool, the argument and what was expected,
/// so a model that sees it can correct its call. Thrown before the guard runs: nothing is charged.
/// </summary>
public sealed class ToolArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tool">The tool name.</param>
    /// <param name="argumentName">The argument name.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The parsing error, if any.</param>
    public ToolArgumentException(string tool, string argumentName, string message, Exception? innerException = null)
        : base(message, argumentName, innerException)
    {
        Tool = tool;
    }

    /// <summary>The tool whose argument is wrong.</summary>
    public string Tool { get; }

    /// <summary>The message without the parameter suffix that <see cref="ArgumentException"/> appends.</summary>
    public override string Message => base.Message.Split(" (Parameter '", 2)[0];
}
