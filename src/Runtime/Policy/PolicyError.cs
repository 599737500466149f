namespace AgentQuotas.Policy;

/// <summary>One problem in a policy file, located by JSON path, line and column.</summary>
public sealed class PolicyError
{
    /// <summary>Creates an error.</summary>
    /// <param name="kind">What kind of problem it is.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="path">The JSON path of the element, e.g. <c>$.tiers.standard.categories.search.capacity</c>.</param>
    /// <param name="line">1-based line.</param>
    /// <param name="column">1-based column.</param>
    /// <param name="source">The file (or other source name) the policy came from, if known.</param>
    public PolicyError(PolicyErrorKind kind, string message, string path, int line, int column, string? source = null)
    {
        Kind = kind;
        Message = message ?? throw new ArgumentNullException(nameof(message));
        Path = path ?? throw new ArgumentNullException(nameof(path));
        Line = line;
        Column = column;
        Source = source;
    }

    /// <summary>What kind of problem it is.</summary>
    public PolicyErrorKind Kind { get; }

    /// <summary>What is wrong and how to fix it.</summary>
    public string Message { get; }

    /// <summary>The JSON path of the offending element.</summary>
    public string Path { get; }

    /// <summary>1-based line of the offending element.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending element.</summary>
    public int Column { get; }

    /// <summary>The file the policy came from, if known.</summary>
    public string? Source { get; }

    /// <summary>Formats the error the way compilers do: <c>file(line,col): kind at path: message</c>.</summary>
    public override string ToString() => $"{Source ?? "policy"}({Line},{Column}): {Kind} at {Path}: {Message}";
}
