using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Stores;

// Issue 15: a run hands the store its BucketHints (the buckets it used last) through IQuotaStore; the in-memory
// store checks a hint before use. These tests hold the bound when a hint goes stale or belongs elsewhere.
public class BucketHintTests
{
    [Fact]
    public void A_run_alternating_between_categories_is_charged_in_each_bucket_exactly()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(
            QuotaPolicy.Parse("""{ "version": "v1", "tiers": { "t": { "categories": { "a": { "capacity": 3, "refillPerSecond": 0.001 }, "b": { "capacity": 2, "refillPerSecond": 0.001 }, "c": { "capacity": 1, "refillPerSecond": 0.001 } } } }, "defaultTier": "t" }"""),
            time);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "p"));
        int[] admitted = new int[3];
        string[] categories = ["a", "b", "c"];
        for (int i = 0; i < 30; i++)
        {
            int c = i % 3;
            QuotaTicket ticket = run.Acquire(new QuotaTool("tool-" + categories[c], categories[c]), 1);
            if (ticket.IsAdmitted)
            {
                admitted[c]++;
                ticket.Complete();
            }
        }

        Assert.Equal([3, 2, 1], admitted);
    }

    [Fact]
    public void A_hint_to_a_bucket_retired_by_a_reshape_decides_as_a_fresh_lookup_does()
    {
        Assert.Equal(Admitted(reuseRun: false), Admitted(reuseRun: true));
        Assert.InRange(Admitted(reuseRun: true), 1, 5);

        // One run (its hint points at the retired 2-unit bucket after the reshape), or a new run for every call
        // (no hint: the dictionary lookup): the same number of calls is admitted.
        static int Admitted(bool reuseRun)
        {
            var time = TestTime.Create();
            using var provider = QuotaPolicyProvider.FromPolicy(TestPolicies.Simple(capacity: 2, refill: 0.001));
            using var gate = new QuotaGate(provider, new QuotaGateOptions { TimeProvider = time });
            var tool = new QuotaTool("t", "search");
            AgentRun run = gate.BeginRun(new AgentIdentity("acme", "p"));
            Assert.True(run.Acquire(tool, 1).IsAdmitted);
            provider.Apply(TestPolicies.Simple(capacity: 5, refill: 0.001, version: "v2")); // retires the 2-unit bucket into a successor
            int admitted = 0;
            for (int i = 0; i < 10; i++)
            {
                if (!reuseRun)
                {
                    run.Dispose();
                    run = gate.BeginRun(new AgentIdentity("acme", "p"));
                }

                admitted += run.Acquire(tool, 1).IsAdmitted ? 1 : 0;
            }

            run.Dispose();
            return admitted;
        }
    }

    [Fact]
    public void Hints_filled_by_one_store_are_ignored_by_another()
    {
        using var first = new InMemoryQuotaStore();
        using var second = new InMemoryQuotaStore();
        var hints = new BucketHints("acme");
        var limits = new BucketLimits(capacity: 1, refillPerSecond: 0.001);
        var request = new QuotaStoreRequest(new BucketKey("acme", "search"), limits, 1);

        Assert.True(((IQuotaStore)first).TryAcquireAt(request, TimeProvider.System, TimeProvider.System.GetTimestamp(), hints).IsAdmitted);
        Assert.Same(first, hints.Owner);

        // The second store must decide on its own (full) bucket, not on the first store's empty one.
        Assert.True(((IQuotaStore)second).TryAcquireAt(request, TimeProvider.System, TimeProvider.System.GetTimestamp(), hints).IsAdmitted);
        Assert.False(((IQuotaStore)first).TryAcquireAt(request, TimeProvider.System, TimeProvider.System.GetTimestamp(), hints).IsAdmitted);
    }
}
