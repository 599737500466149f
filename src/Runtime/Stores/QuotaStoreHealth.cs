namespace AgentQuotas.Stores;

/// <summary>What <see cref="IQuotaStoreHealth.CheckHealthAsync"/> found.</summary>
public sealed class QuotaStoreHealth
{
    /// <summary>Creates a report.</summary>
    /// <param name="status">Whether the store reaches its shared state.</param>
    /// <param name="description">One line for operators.</param>
    /// <param name="data">Details (failure mode, pending corrections, ...); empty when <see langword="null"/>.</param>
    public QuotaStoreHealth(QuotaStoreHealthStatus status, string description, IReadOnlyDictionary<string, object>? data = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        Status = status;
        Description = description;
        Data = data ?? new Dictionary<string, object>();
    }

    /// <summary>Whether the store reaches its shared state.</summary>
    public QuotaStoreHealthStatus Status { get; }

    /// <summary>One line for operators.</summary>
    public string Description { get; }

    /// <summary>Details for health reports.</summary>
    public IReadOnlyDictionary<string, object> Data { get; }
}
