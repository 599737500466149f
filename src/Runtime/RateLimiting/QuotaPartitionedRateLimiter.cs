using System.Threading.RateLimiting;
using AgentQuotas.Policy;
using AgentQuotas.Stores;

namespace AgentQuotas.RateLimiting;

/// <summary>
/// A <see cref="PartitionedRateLimiter{TResource}"/> that maps each resource (an HTTP request, a queue
/// message) to an identity's bucket for a category. Plug it into ASP.NET Core's rate-limiting
/// middleware as the global limiter. Create with <see cref="QuotaGate.CreatePartitionedRateLimiter{TResource}"/>.
/// </summary>
/// <typeparam name="TResource">The resource type.</typeparam>
public sealed class QuotaPartitionedRateLimiter<TResource> : PartitionedRateLimiter<TResource>
{
    private readonly QuotaGate _gate;
    private readonly Func<TResource, QuotaPartition> _partitioner;

    internal QuotaPartitionedRateLimiter(QuotaGate gate, Func<TResource, QuotaPartition> partitioner)
    {
        _gate = gate;
        _partitioner = partitioner;
    }

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics(TResource resource)
    {
        QuotaPartition partition = Partition(resource);
        double available = _gate.TryGetBudget(partition.Identity.Tenant, partition.Category, out CategoryBudget? budget)
            ? _gate.Store.Peek(new BucketKey(partition.Identity.Tenant, partition.Category), budget.Limits).Available
            : 0;
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = (long)Math.Floor(Math.Max(0, available) / partition.CostPerPermit),
            CurrentQueuedCount = _gate.GetQueuedCount(partition.Identity.Tenant, partition.Category),
        };
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(TResource resource, int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        QuotaPartition partition = Partition(resource);
        if (permitCount == 0)
        {
            return (GetStatistics(resource)?.CurrentAvailablePermits ?? 0) > 0 ? QuotaLease.Acquired : QuotaLease.Failed("the bucket is empty");
        }

        return QuotaLease.From(_gate.TryAcquire(Request(partition, permitCount)));
    }

    /// <inheritdoc/>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(TResource resource, int permitCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        if (permitCount == 0)
        {
            return AttemptAcquireCore(resource, 0);
        }

        QuotaDecision decision = await _gate.AcquireAsync(Request(Partition(resource), permitCount), cancellationToken).ConfigureAwait(false);
        return QuotaLease.From(decision);
    }

    private static QuotaRequest Request(in QuotaPartition partition, int permitCount) =>
        new(partition.Identity, RateLimiterTools.For(partition.Category), permitCount * partition.CostPerPermit, partition.WorkloadClass);

    private QuotaPartition Partition(TResource resource)
    {
        QuotaPartition partition = _partitioner(resource);
        RateLimiterTools.Validate(partition);
        return partition;
    }
}
