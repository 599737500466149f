using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;
using AgentQuotas.Policy;
using AgentQuotas.RateLimiting;

namespace AgentQuotas;

public sealed partial class QuotaGate
{
    /// <summary>Creates a <see cref="RateLimiter"/> over <paramref name="identity"/>'s bucket for <paramref name="category"/>.</summary>
    /// <param name="identity">The authenticated identity.</param>
    /// <param name="category">The quota category.</param>
    /// <param name="workloadClass">The workload class of its acquisitions.</param>
    /// <param name="costPerPermit">Units per permit; finite and greater than zero.</param>
    public RateLimiter CreateRateLimiter(AgentIdentity identity, string category, WorkloadClass workloadClass = WorkloadClass.Standard, double costPerPermit = 1)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        var partition = new QuotaPartition(identity, category, workloadClass, costPerPermit);
        RateLimiterTools.Validate(partition);
        return new QuotaRateLimiter(this, partition);
    }

    /// <summary>
    /// Creates a <see cref="PartitionedRateLimiter{TResource}"/> that draws each resource's permits from the
    /// bucket its partition names, e.g. for ASP.NET Core:
    /// <c>options.GlobalLimiter = gate.CreatePartitionedRateLimiter&lt;HttpContext&gt;(ctx =&gt; new(IdentityFrom(ctx.User), "http"));</c>
    /// </summary>
    /// <typeparam name="TResource">The resource type.</typeparam>
    /// <param name="partitioner">Maps a resource to its partition; the identity must come from authenticated data.</param>
    public PartitionedRateLimiter<TResource> CreatePartitionedRateLimiter<TResource>(Func<TResource, QuotaPartition> partitioner)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(partitioner);
        return new QuotaPartitionedRateLimiter<TResource>(this, partitioner);
    }

    internal bool TryGetBudget(string tenant, string category, [NotNullWhen(true)] out CategoryBudget? budget)
    {
        budget = null;
        return Policy.TryResolveTier(tenant, out TierPolicy? tier) && tier.TryGetBudget(category, out budget);
    }
}
