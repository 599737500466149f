namespace AgentQuotas.Policy;

/// <summary>Thrown when a policy is invalid. Lists every error at once, each with its line and column.</summary>
public sealed class PolicyValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">The errors; at least one.</param>
    /// <param name="source">The file the policy came from, if known.</param>
    public PolicyValidationException(IReadOnlyList<PolicyError> errors, string? source = null)
        : base(BuildMessage(errors, source))
    {
        Errors = errors;
        Source = source;
    }

    /// <summary>Every error found, in document order of discovery.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>The file the policy came from, if known.</summary>
    public new string? Source { get; }

    private static string BuildMessage(IReadOnlyList<PolicyError> errors, string? source)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A validation exception needs at least one error.", nameof(errors));
        }

        string header = $"The quota policy {(source is null ? string.Empty : "'" + source + "' ")}is invalid ({errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}):";
        return header + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
