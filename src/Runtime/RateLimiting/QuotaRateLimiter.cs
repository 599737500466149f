using System.Threading.RateLimiting;
using AgentQuotas.Policy;
using AgentQuotas.Stores;

namespace AgentQuotas.RateLimiting;

/// <summary>
/// A <see cref="RateLimiter"/> over one identity's bucket for one category, so anything that takes a
/// rate limiter can spend AgentQuotas budgets. Each permit costs <see cref="QuotaPartition.CostPerPermit"/>
/// units; every acquisition is a gate decision (audited, measured). Create with <see cref="QuotaGate.CreateRateLimiter"/>.
/// </summary>
public sealed class QuotaRateLimiter : RateLimiter
{
    private readonly QuotaGate _gate;
    private readonly QuotaPartition _partition;
    private readonly QuotaTool _tool;
    private long _successful;
    private long _failed;
    private long _lastUse;

    internal QuotaRateLimiter(QuotaGate gate, QuotaPartition partition)
    {
        _gate = gate;
        _partition = partition;
        _tool = RateLimiterTools.For(partition.Category);
        _lastUse = gate.TimeProvider.GetTimestamp();
    }

    /// <inheritdoc/>
    public override TimeSpan? IdleDuration =>
        _gate.GetQueuedCount(_partition.Identity.Tenant, _partition.Category) != 0 ? null : _gate.TimeProvider.GetElapsedTime(Interlocked.Read(ref _lastUse));

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics()
    {
        double available = _gate.TryGetBudget(_partition.Identity.Tenant, _partition.Category, out CategoryBudget? budget)
            ? _gate.Store.Peek(new BucketKey(_partition.Identity.Tenant, _partition.Category), budget.Limits).Available
            : 0;
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = (long)Math.Floor(Math.Max(0, available) / _partition.CostPerPermit),
            CurrentQueuedCount = _gate.GetQueuedCount(_partition.Identity.Tenant, _partition.Category),
            TotalSuccessfulLeases = Interlocked.Read(ref _successful),
            TotalFailedLeases = Interlocked.Read(ref _failed),
        };
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (permitCount == 0)
        {
            return (GetStatistics()?.CurrentAvailablePermits ?? 0) > 0 ? QuotaLease.Acquired : QuotaLease.Failed("the bucket is empty");
        }

        return Count(QuotaLease.From(_gate.TryAcquire(Request(permitCount))));
    }

    /// <inheritdoc/>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 0)
        {
            return AttemptAcquireCore(0);
        }

        QuotaDecision decision = await _gate.AcquireAsync(Request(permitCount), cancellationToken).ConfigureAwait(false);
        return Count(QuotaLease.From(decision));
    }

    private QuotaRequest Request(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        Interlocked.Exchange(ref _lastUse, _gate.TimeProvider.GetTimestamp());
        return new QuotaRequest(_partition.Identity, _tool, permitCount * _partition.CostPerPermit, _partition.WorkloadClass);
    }

    private QuotaLease Count(QuotaLease lease)
    {
        Interlocked.Exchange(ref _lastUse, _gate.TimeProvider.GetTimestamp()); // a wait that just ended was activity too
        Interlocked.Increment(ref lease.IsAcquired ? ref _successful : ref _failed);
        return lease;
    }
}
