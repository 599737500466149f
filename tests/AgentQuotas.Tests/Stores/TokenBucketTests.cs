using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Stores;

public sealed class TokenBucketTests : IDisposable
{
    private static readonly BucketKey Key = new("acme", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryQuotaStore _store;

    public TokenBucketTests()
    {
        _store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = _time, EvictionInterval = Timeout.InfiniteTimeSpan });
    }

    public void Dispose() => _store.Dispose();

    private QuotaStoreResult Take(BucketLimits limits, double cost, bool emergency = false) =>
        _store.TryAcquire(new QuotaStoreRequest(Key, limits, cost, emergency));

    [Fact]
    public void A_new_bucket_is_full_and_refills_at_its_rate_up_to_capacity()
    {
        var limits = new BucketLimits(capacity: 10, refillPerSecond: 2);
        Assert.Equal(10, _store.Peek(Key, limits).Available);

        Assert.True(Take(limits, 10).IsAdmitted);
        Assert.Equal(0, _store.Peek(Key, limits).Available, 9);

        _time.Advance(1.5);
        Assert.Equal(3, _store.Peek(Key, limits).Available, 9);

        _time.Advance(100);
        Assert.Equal(10, _store.Peek(Key, limits).Available, 9);   // never above capacity
    }

    [Fact]
    public void Costs_are_weighted_and_retry_after_is_the_exact_shortfall()
    {
        var limits = new BucketLimits(capacity: 200, refillPerSecond: 5);
        int admitted = 0;
        while (Take(limits, 20).IsAdmitted)
        {
            admitted++;
        }

        Assert.Equal(10, admitted);
        _time.Advance(1);                                          // 5 units back
        QuotaStoreResult denied = Take(limits, 20);
        Assert.Equal(QuotaStoreOutcome.BucketExhausted, denied.Outcome);
        Assert.Equal(5, denied.Remaining, 9);
        Assert.Equal(TimeSpan.FromSeconds(3), denied.RetryAfter);  // 15 missing at 5/s

        _time.Advance(denied.RetryAfter!.Value);
        Assert.True(Take(limits, 20).IsAdmitted);
    }

    [Fact]
    public void Fractional_costs_are_charged_exactly()
    {
        var limits = new BucketLimits(capacity: 1, refillPerSecond: 1);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Take(limits, 0.25).IsAdmitted);
        }

        Assert.False(Take(limits, 0.25).IsAdmitted);
        _time.Advance(0.25);
        Assert.True(Take(limits, 0.25).IsAdmitted);
    }

    [Fact]
    public void A_cost_above_everything_the_bucket_can_hold_is_never_admissible()
    {
        var limits = new BucketLimits(capacity: 10, refillPerSecond: 1, burstCredits: 5, emergencyDebt: 10);
        QuotaStoreResult result = Take(limits, 16);
        Assert.Equal(QuotaStoreOutcome.CostExceedsCapacity, result.Outcome);
        Assert.Null(result.RetryAfter);
        Assert.True(Take(limits, 25, emergency: true).IsAdmitted);   // emergency classes may borrow up to the debt
    }

    [Fact]
    public void Burst_credits_cover_a_spike_and_are_banked_only_while_the_bucket_is_full()
    {
        // multiplier 3 for 5 s at 1/s: (3 - 1) x 1 x 5 = 10 credits.
        var limits = new BucketLimits(capacity: 10, refillPerSecond: 1, burstCredits: 10);
        Assert.Equal(20, _store.Peek(Key, limits).Available);

        QuotaStoreResult spike = Take(limits, 15);
        Assert.True(spike.IsAdmitted);
        Assert.True(spike.UsedBurst);
        Assert.Equal(5, spike.Remaining, 9);

        Assert.True(Take(limits, 5).IsAdmitted);
        Assert.False(Take(limits, 1).IsAdmitted);

        _time.Advance(10);                            // bucket full again, credits still empty
        BucketSnapshot refilled = _store.Peek(Key, limits);
        Assert.Equal(10, refilled.Level, 9);
        Assert.Equal(0, refilled.BurstCredits, 9);

        _time.Advance(4);                             // overflow banks as credits
        Assert.Equal(4, _store.Peek(Key, limits).BurstCredits, 9);
        _time.Advance(100);
        Assert.Equal(10, _store.Peek(Key, limits).BurstCredits, 9);
    }

    [Fact]
    public void Burst_sustains_multiplier_times_the_rate_for_max_seconds()
    {
        // capacity 10, refill 2/s, multiplier 3, maxSeconds 5 => credits (3-1) x 2 x 5 = 20.
        var limits = new BucketLimits(capacity: 10, refillPerSecond: 2, burstCredits: 20);
        Assert.True(Take(limits, 10).IsAdmitted);     // drain the bucket itself
        for (int second = 0; second < 5; second++)
        {
            _time.Advance(1);
            Assert.True(Take(limits, 6).IsAdmitted, $"second {second}: 3x the rate should be served"); // 2 refill + 4 credits
        }

        _time.Advance(1);
        Assert.False(Take(limits, 6).IsAdmitted);     // credits spent: back to the baseline rate
        Assert.True(Take(limits, 2).IsAdmitted);
    }

    [Fact]
    public void Emergency_classes_borrow_and_everyone_waits_for_the_debt_to_be_repaid()
    {
        var limits = new BucketLimits(capacity: 10, refillPerSecond: 1, emergencyDebt: 10);
        Assert.True(Take(limits, 10).IsAdmitted);
        Assert.False(Take(limits, 4).IsAdmitted);                    // ordinary request: empty

        QuotaStoreResult borrowed = Take(limits, 4, emergency: true);
        Assert.True(borrowed.IsAdmitted);
        Assert.True(borrowed.UsedEmergency);
        Assert.Equal(-4, borrowed.Remaining, 9);

        QuotaStoreResult ordinary = Take(limits, 1);
        Assert.False(ordinary.IsAdmitted);
        Assert.Equal(TimeSpan.FromSeconds(5), ordinary.RetryAfter);  // repay 4, then 1

        Assert.True(Take(limits, 6, emergency: true).IsAdmitted);    // up to the debt limit
        Assert.False(Take(limits, 0.5, emergency: true).IsAdmitted); // and no further
    }

    [Fact]
    public void Settle_refunds_up_to_capacity_and_charges_into_debt()
    {
        var limits = new BucketLimits(capacity: 10, refillPerSecond: 1);
        Assert.True(Take(limits, 8).IsAdmitted);
        _store.Settle(Key, limits, -5);                               // the call cost 3, not 8
        Assert.Equal(7, _store.Peek(Key, limits).Available, 9);
        _store.Settle(Key, limits, -100);
        Assert.Equal(10, _store.Peek(Key, limits).Available, 9);
        _store.Settle(Key, limits, 14);                               // cost more than planned
        Assert.Equal(-4, _store.Peek(Key, limits).Available, 9);
        QuotaStoreResult denied = Take(limits, 1);
        Assert.Equal(TimeSpan.FromSeconds(5), denied.RetryAfter);
    }

    [Fact]
    public void New_limits_rescale_the_bucket_in_units()
    {
        var v1 = new BucketLimits(capacity: 10, refillPerSecond: 1);
        Assert.True(Take(v1, 6).IsAdmitted);
        var v2 = new BucketLimits(capacity: 100, refillPerSecond: 10);
        Assert.Equal(4, Take(v2, 5).Remaining, 9);                   // 4 left, 5 asked: denied at the new rate
        _time.Advance(0.1);
        Assert.True(Take(v2, 5).IsAdmitted);

        var v3 = new BucketLimits(capacity: 2, refillPerSecond: 1);
        _time.Advance(100);
        Assert.Equal(2, _store.Peek(Key, v3).Available, 9);          // clipped to the smaller capacity
        Assert.True(Take(v3, 2).IsAdmitted);
        Assert.False(Take(v3, 0.1).IsAdmitted);
    }

    [Fact]
    public void Buckets_of_different_tenants_and_categories_are_independent()
    {
        var limits = new BucketLimits(capacity: 1, refillPerSecond: 1);
        Assert.True(_store.TryAcquire(new QuotaStoreRequest(new BucketKey("a", "x"), limits, 1)).IsAdmitted);
        Assert.True(_store.TryAcquire(new QuotaStoreRequest(new BucketKey("a", "y"), limits, 1)).IsAdmitted);
        Assert.True(_store.TryAcquire(new QuotaStoreRequest(new BucketKey("b", "x"), limits, 1)).IsAdmitted);
        Assert.False(_store.TryAcquire(new QuotaStoreRequest(new BucketKey("a", "x"), limits, 1)).IsAdmitted);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(1, 0)]
    [InlineData(1, double.PositiveInfinity)]
    public void Invalid_limits_are_refused(double capacity, double refill)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketLimits(capacity, refill));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_costs_are_refused(double cost)
    {
        var limits = new BucketLimits(capacity: 1, refillPerSecond: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuotaStoreRequest(Key, limits, cost));
    }
}
