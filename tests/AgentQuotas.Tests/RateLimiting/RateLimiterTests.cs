using System.Threading.RateLimiting;
using AgentQuotas.Audit;
using AgentQuotas.RateLimiting;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.RateLimiting;

public class RateLimiterTests
{
    private static readonly AgentIdentity Acme = new("acme", "api-client");

    [Fact]
    public void A_rate_limiter_spends_the_identitys_bucket_and_reports_retry_after()
    {
        var time = TestTime.Create();
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 10, refill: 2, category: "http"), time, o => o.AuditSink = audit);
        RateLimiter limiter = gate.CreateRateLimiter(Acme, "http", costPerPermit: 2);

        using (RateLimitLease lease = limiter.AttemptAcquire(3))
        {
            Assert.True(lease.IsAcquired);
        }

        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);    // 4 units left = 2 permits
        using RateLimitLease refused = limiter.AttemptAcquire(3);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);                     // 2 units short at 2/s
        Assert.True(refused.TryGetMetadata(MetadataName.ReasonPhrase, out string? reason));
        Assert.Contains("'http' budget", reason);

        RateLimiterStatistics stats = limiter.GetStatistics()!;
        Assert.Equal(1, stats.TotalSuccessfulLeases);
        Assert.Equal(1, stats.TotalFailedLeases);
        Assert.Equal(2, audit.Snapshot().Count);                               // every acquisition is a decision
        Assert.Equal("rate-limiter/http", audit.Snapshot()[0].Tool);
    }

    [Fact]
    public async Task The_async_path_and_zero_permit_checks_follow_the_rate_limiter_contract()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 1, refill: 1, category: "http"), time);
        RateLimiter limiter = gate.CreateRateLimiter(Acme, "http");

        Assert.True(limiter.AttemptAcquire(0).IsAcquired);
        Assert.True((await limiter.AcquireAsync(1)).IsAcquired);
        Assert.False(limiter.AttemptAcquire(0).IsAcquired);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(-1));

        // AcquireAsync queues (the default ladder enables Queued) until the bucket refills.
        ValueTask<RateLimitLease> queued = limiter.AcquireAsync(1);
        Assert.False(queued.IsCompleted);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentQueuedCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await queued).IsAcquired);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), limiter.IdleDuration);
    }

    [Fact]
    public void A_partitioned_limiter_routes_each_resource_to_its_tenants_bucket()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 2, refill: 1, category: "http"), time);
        PartitionedRateLimiter<string> limiter = gate.CreatePartitionedRateLimiter<string>(
            user => new QuotaPartition(new AgentIdentity(user.Split('/')[0], user), "http"));

        Assert.True(limiter.AttemptAcquire("acme/alice", 2).IsAcquired);
        Assert.False(limiter.AttemptAcquire("acme/bob").IsAcquired);         // same tenant, same bucket
        Assert.True(limiter.AttemptAcquire("globex/carol").IsAcquired);      // another tenant
        Assert.Equal(1, limiter.GetStatistics("globex/dan")!.CurrentAvailablePermits);
    }

    [Fact]
    public void A_partition_without_a_category_is_a_clear_error()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), time);
        PartitionedRateLimiter<int> limiter = gate.CreatePartitionedRateLimiter<int>(_ => new QuotaPartition(Acme, ""));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => limiter.AttemptAcquire(1));
        Assert.Contains("without a category", e.Message);
    }
}
