using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Stores;

// Issue 15: outside a run (QuotaGate.TryAcquire, the rate limiters) the store's hints are held by the caller's
// AgentIdentity, from its second call, instead of the store's per-thread slots. The identity is shared by threads
// and may meet several stores and policies; these tests hold the bound when its hint goes stale or belongs elsewhere.
public class IdentityHintTests
{
    private static readonly QuotaPolicy ThreeCategories = QuotaPolicy.Parse("""
        { "version": "v1", "defaultTier": "t",
          "tiers": { "t": { "categories": { "a": { "capacity": 3, "refillPerSecond": 0.001 }, "b": { "capacity": 2, "refillPerSecond": 0.001 }, "c": { "capacity": 1, "refillPerSecond": 0.001 } } } } }
        """);

    [Fact]
    public void An_identity_holds_hints_from_its_second_call_and_the_first_store_to_use_them_owns_them()
    {
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 10, refill: 0.001), TestTime.Create());
        var identity = new AgentIdentity("acme", "p");
        var tool = new QuotaTool("t", "search");

        Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 1)).IsAdmitted);   // first call: no holder yet
        Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 1)).IsAdmitted);
        BucketHints? hints = identity.HintsOutsideRun();
        Assert.NotNull(hints);
        Assert.Same(hints, identity.HintsOutsideRun());
        Assert.Equal("acme", hints.Tenant);
        Assert.Same(gate.Store, hints.Owner);
        Assert.NotNull(hints.Last);
        Assert.Equal(8, gate.Store.Peek(new("acme", "search"), gate.Policy.Tiers["standard"].Categories["search"].Limits).Available, 6);
    }

    [Fact]
    public void Hints_of_an_identity_used_with_two_gates_serve_only_the_store_that_owns_them()
    {
        var time = TestTime.Create();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 3, refill: 0.001);
        using QuotaGate first = TestPolicies.Gate(policy, time);
        using QuotaGate second = TestPolicies.Gate(policy, time);
        var identity = new AgentIdentity("acme", "p");
        var tool = new QuotaTool("t", "search");

        int[] admitted = new int[2];
        for (int i = 0; i < 20; i++)
        {
            QuotaGate gate = i % 2 == 0 ? first : second;
            admitted[i % 2] += gate.TryAcquire(new QuotaRequest(identity, tool, 1)).IsAdmitted ? 1 : 0;
        }

        // Each store decides on its own bucket, never on the other store's.
        Assert.Equal([3, 3], admitted);
        Assert.Same(second.Store, identity.HintsOutsideRun()!.Owner); // the store of the identity's second call, which made the holder
        BucketLimits limits = policy.Tiers["standard"].Categories["search"].Limits;
        Assert.Equal(0, first.Store.Peek(new("acme", "search"), limits).Available, 6);
        Assert.Equal(0, second.Store.Peek(new("acme", "search"), limits).Available, 6);
    }

    [Fact]
    public void A_hint_to_a_bucket_retired_by_a_reshape_decides_as_a_fresh_lookup_does()
    {
        Assert.Equal(Admitted(reuseIdentity: false), Admitted(reuseIdentity: true));
        Assert.InRange(Admitted(reuseIdentity: true), 1, 5);

        // One identity (its hint points at the retired 2-unit bucket after the reshape), or a new identity for every
        // call (no hint: the dictionary lookup): the same number of calls is admitted.
        static int Admitted(bool reuseIdentity)
        {
            using var provider = QuotaPolicyProvider.FromPolicy(TestPolicies.Simple(capacity: 2, refill: 0.001));
            using var gate = new QuotaGate(provider, new QuotaGateOptions { TimeProvider = TestTime.Create() });
            var tool = new QuotaTool("t", "search");
            var identity = new AgentIdentity("acme", "p");
            Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 0.5)).IsAdmitted);
            Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 0.5)).IsAdmitted);  // the hint now holds the 2-unit bucket
            provider.Apply(TestPolicies.Simple(capacity: 5, refill: 0.001, version: "v2")); // retires it into a successor
            int admitted = 0;
            for (int i = 0; i < 10; i++)
            {
                AgentIdentity caller = reuseIdentity ? identity : new AgentIdentity("acme", "p");
                admitted += gate.TryAcquire(new QuotaRequest(caller, tool, 1)).IsAdmitted ? 1 : 0;
            }

            return admitted;
        }
    }

    [Fact]
    public void A_hint_to_an_evicted_bucket_is_charged_on_its_successor()
    {
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = time, EvictionInterval = Timeout.InfiniteTimeSpan });
        QuotaPolicy policy = TestPolicies.Simple(capacity: 4, refill: 1);
        using QuotaGate gate = TestPolicies.Gate(policy, time, o => o.Store = store);
        var identity = new AgentIdentity("acme", "p");
        var tool = new QuotaTool("t", "search");
        Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 1)).IsAdmitted);
        Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 1)).IsAdmitted);

        time.Advance(TimeSpan.FromMinutes(11));                // refilled and idle past the timeout
        Assert.Equal(1, store.EvictIdle());
        Assert.Equal(0, store.BucketCount);

        Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 3)).IsAdmitted);
        Assert.Equal(1, store.BucketCount);                  // the successor, not the retired bucket
        Assert.Equal(1, store.Peek(new("acme", "search"), policy.Tiers["standard"].Categories["search"].Limits).Available, 6);
    }

    [Fact]
    public void Identities_of_two_tenants_alternating_three_categories_are_charged_in_each_bucket_exactly()
    {
        using QuotaGate gate = TestPolicies.Gate(ThreeCategories, TestTime.Create());
        AgentIdentity[] identities = [new("acme", "p"), new("globex", "p")];
        string[] categories = ["a", "b", "c"];
        QuotaTool[] tools = [.. categories.Select(c => new QuotaTool("tool-" + c, c))];
        int[,] admitted = new int[2, 3];
        for (int i = 0; i < 60; i++)
        {
            int t = i % 2, c = (i / 2) % 3;
            admitted[t, c] += gate.TryAcquire(new QuotaRequest(identities[t], tools[c], 1)).IsAdmitted ? 1 : 0;
        }

        for (int t = 0; t < 2; t++)
        {
            Assert.Equal([3, 2, 1], new[] { admitted[t, 0], admitted[t, 1], admitted[t, 2] });
            for (int c = 0; c < 3; c++)
            {
                BucketLimits limits = ThreeCategories.Tiers["t"].Categories[categories[c]].Limits;
                Assert.Equal(0, gate.Store.Peek(new(identities[t].Tenant, categories[c]), limits).Available, 6);
            }
        }
    }

    [Fact]
    public async Task Threads_sharing_one_identity_and_its_rate_limiter_are_charged_exactly()
    {
        // 4 threads, each making 400 calls alternating two categories through one identity (half of them through a
        // rate limiter over the same identity): 1,600 calls for 300 + 200 units. The clock does not move.
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v1", "defaultTier": "t",
              "tiers": { "t": { "categories": { "a": { "capacity": 300, "refillPerSecond": 0.001 }, "b": { "capacity": 200, "refillPerSecond": 0.001 } } } } }
            """);
        using QuotaGate gate = TestPolicies.Gate(policy, TestTime.Create());
        var identity = new AgentIdentity("acme", "p");
        using System.Threading.RateLimiting.RateLimiter limiter = gate.CreateRateLimiter(identity, "b");
        var a = new QuotaTool("tool-a", "a");
        var b = new QuotaTool("tool-b", "b");
        using var start = new Barrier(4);
        Task<(int A, int B)>[] threads = [.. Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            int admittedA = 0, admittedB = 0;
            start.SignalAndWait();
            for (int i = 0; i < 200; i++)
            {
                admittedA += gate.TryAcquire(new QuotaRequest(identity, a, 1)).IsAdmitted ? 1 : 0;
                if (i % 2 == 0)
                {
                    admittedB += gate.TryAcquire(new QuotaRequest(identity, b, 1)).IsAdmitted ? 1 : 0;
                }
                else
                {
                    using System.Threading.RateLimiting.RateLimitLease lease = limiter.AttemptAcquire(1);
                    admittedB += lease.IsAcquired ? 1 : 0;
                }
            }

            return (admittedA, admittedB);
        }, TaskCreationOptions.LongRunning))];
        (int A, int B)[] results = await Task.WhenAll(threads);

        Assert.Equal(300, results.Sum(r => r.A));
        Assert.Equal(200, results.Sum(r => r.B));
        Assert.Equal(0, gate.Store.Peek(new("acme", "a"), policy.Tiers["t"].Categories["a"].Limits).Available, 6);
        Assert.Equal(0, gate.Store.Peek(new("acme", "b"), policy.Tiers["t"].Categories["b"].Limits).Available, 6);
    }

    [Fact]
    public void Calls_outside_a_run_allocate_nothing_whether_the_identity_is_reused_or_built_for_the_call()
    {
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 1e9, refill: 1e6), TestTime.Create());
        var tool = new QuotaTool("t", "search");
        var reused = new AgentIdentity("acme", "p");
        AgentIdentity[] fresh = [.. Enumerable.Range(0, 5000).Select(i => new AgentIdentity("acme", "p" + i))];
        for (int i = 0; i < 100; i++)
        {
            Assert.True(gate.TryAcquire(new QuotaRequest(reused, tool, 1)).IsAdmitted);
            Assert.True(gate.TryAcquire(new QuotaRequest(fresh[i], tool, 1)).IsAdmitted);
        }

        // The least of a few rounds: the runtime itself (tiered JIT) may allocate on this thread now and then.
        long reusedBytes = long.MaxValue, freshBytes = long.MaxValue;
        for (int round = 0; round < 4; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                gate.TryAcquire(new QuotaRequest(reused, tool, 1));
            }

            reusedBytes = Math.Min(reusedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                gate.TryAcquire(new QuotaRequest(fresh[1000 + round * 1000 + i], tool, 1)); // each identity's only call
            }

            freshBytes = Math.Min(freshBytes, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, reusedBytes);
        Assert.Equal(0, freshBytes);
    }
}
