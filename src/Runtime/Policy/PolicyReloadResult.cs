namespace AgentQuotas.Policy;

/// <summary>The outcome of a policy reload.</summary>
public sealed class PolicyReloadResult
{
    internal PolicyReloadResult(bool succeeded, QuotaPolicy inForce, QuotaPolicy? previous, IReadOnlyList<PolicyError> errors, string? failure)
    {
        Succeeded = succeeded;
        InForce = inForce;
        Previous = previous;
        Errors = errors;
        Failure = failure;
    }

    /// <summary>Whether the new policy was applied.</summary>
    public bool Succeeded { get; }

    /// <summary>The policy in force after the reload (the old one when it failed).</summary>
    public QuotaPolicy InForce { get; }

    /// <summary>The policy that was in force before.</summary>
    public QuotaPolicy? Previous { get; }

    /// <summary>Validation errors of a rejected file (empty on success or when the file could not be read).</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>Why the reload failed, in one message; <see langword="null"/> on success.</summary>
    public string? Failure { get; }

    /// <summary>A warning about an applied reload (a same-version edit allowed by <c>allowSameVersionEdits</c>), if any.</summary>
    public string? Warning { get; internal init; }
}
