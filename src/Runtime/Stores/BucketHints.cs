namespace AgentQuotas.Stores;

/// <summary>
/// What a store may remember for one run between its calls, held by the run (outside a run, by the caller's
/// <see cref="AgentIdentity"/>, shared by the threads that use it) and handed to the store with each
/// acquisition (<see cref="IQuotaStore"/>'s internal <c>TryAcquireAt</c>): the in-memory store keeps the two
/// buckets the run used last, which saves its dictionary lookup. The gate never looks inside. A store checks a
/// hint before use (its owner, the tenant, the category, retirement), so a stale hint costs only the lookup it was
/// meant to save. Each slot is one reference, so racing calls of one run (or identity) cannot tear it.
/// </summary>
internal sealed class BucketHints
{
    public BucketHints(string tenant) => Tenant = tenant;

    /// <summary>The run's tenant: hints serve only acquisitions of this tenant's buckets.</summary>
    public string Tenant { get; }

    /// <summary>The store that filled the slots (set by the first store to use them); others ignore them.</summary>
    public object? Owner;

    /// <summary>The hint used last.</summary>
    public object? Last;

    /// <summary>The hint used before <see cref="Last"/>, for a run that alternates between two categories.</summary>
    public object? Previous;
}
