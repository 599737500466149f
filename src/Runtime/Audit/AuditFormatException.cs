namespace AgentQuotas.Audit;

/// <summary>Thrown when an audit file holds a line that is not an audit record.</summary>
public sealed class AuditFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="line">The 1-based line.</param>
    /// <param name="message">What is wrong with the line.</param>
    /// <param name="innerException">The parser's error, if any.</param>
    public AuditFormatException(string path, int line, string message, Exception? innerException = null)
        : base($"{path}({line}): not an audit record: {message}", innerException)
    {
        Path = path;
        Line = line;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The 1-based line.</summary>
    public int Line { get; }
}
