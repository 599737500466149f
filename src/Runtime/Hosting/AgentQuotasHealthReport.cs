namespace AgentQuotas.Hosting;

/// <summary>What <see cref="AgentQuotasHealthProbe"/> found.</summary>
public sealed class AgentQuotasHealthReport
{
    internal AgentQuotasHealthReport(AgentQuotasHealthStatus status, string description, IReadOnlyDictionary<string, object> data, Exception? exception = null)
    {
        Status = status;
        Description = description;
        Data = data;
        Exception = exception;
    }

    /// <summary>The overall status: the worst of the policy's and the store's.</summary>
    public AgentQuotasHealthStatus Status { get; }

    /// <summary>One line for operators: what is wrong, or what is in force.</summary>
    public string Description { get; }

    /// <summary>
    /// Details: <c>policyVersion</c>, <c>policyHash</c>, <c>policySource</c>, <c>lastReloadError</c> (when the last reload
    /// failed), <c>store</c>, <c>storeStatus</c> and what the store adds (for PostgreSQL <c>failureMode</c>, <c>reason</c>, ...).
    /// </summary>
    public IReadOnlyDictionary<string, object> Data { get; }

    /// <summary>Why the gate could not be built, when it could not.</summary>
    public Exception? Exception { get; }
}
