using AgentQuotas.Stores;
using AgentQuotas.Testing;
using CsCheck;

namespace AgentQuotas.Tests.Stores;

/// <summary>
/// Property: whatever a bucket's shape and however requests, refunds and time interleave, it never admits more
/// than it supplied: at every step, admitted - refunded &lt;= capacity + burst credits + refill x elapsed. And it
/// is not stingy either: a request that fits the level the bucket reports is admitted.
/// </summary>
public sealed class BucketPropertyTests
{
    private sealed record Step(long AdvanceMilliseconds, int Cost, bool RefundOne);

    private sealed record Scenario(int Capacity, int Refill, int BurstCredits, Step[] Steps);

    private static readonly Gen<Scenario> Scenarios =
        Gen.Select(
            Gen.Int[1, 1_000],
            Gen.Int[1, 200],
            Gen.Int[0, 500],
            Gen.Select(Gen.Long[0, 3_000], Gen.Int[1, 120], Gen.Int[0, 7], (ms, cost, refund) => new Step(ms, cost, refund == 0)).Array[1, 200],
            (capacity, refill, burst, steps) => new Scenario(capacity, refill, burst, steps));

    [Fact]
    public void A_bucket_never_admits_more_than_capacity_plus_burst_plus_refill_times_elapsed()
    {
        Scenarios.Sample(Run, seed: "0BucketProp1", iter: 400, threads: 1);
    }

    private static void Run(Scenario scenario)
    {
        var limits = new BucketLimits(scenario.Capacity, scenario.Refill, burstCredits: scenario.BurstCredits);
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = time, EvictionInterval = Timeout.InfiniteTimeSpan });
        var key = new BucketKey("acme", "search");
        long admitted = 0;
        foreach (Step step in scenario.Steps)
        {
            time.Advance(TimeSpan.FromMilliseconds(step.AdvanceMilliseconds));
            double available = store.Peek(key, limits).Available;
            bool wasAdmitted = store.TryAcquire(new QuotaStoreRequest(key, limits, step.Cost)).IsAdmitted;
            if (wasAdmitted)
            {
                admitted += step.Cost;
                if (step.RefundOne)
                {
                    store.Settle(key, limits, -1);
                    admitted--;
                }
            }
            else
            {
                // Refused only when the request did not fit (a hair of rounding allowed at the edge).
                Assert.True(step.Cost > available - 1e-6, $"refused {step.Cost} with {available} available");
            }

            double supplied = scenario.Capacity + scenario.BurstCredits + (scenario.Refill * time.Elapsed().TotalSeconds);
            Assert.True(admitted <= supplied + 1e-6, $"admitted {admitted} > supplied {supplied} after {time.Elapsed()}");
        }
    }
}
