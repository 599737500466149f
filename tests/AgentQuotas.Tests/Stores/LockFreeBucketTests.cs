using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Stores;

// Admission from a bucket's level is a compare-and-swap on its arrival time; banking, burst credits,
// debt, refunds and reshaping take the bucket's monitor and publish with a compare-and-swap too. These
// tests race the two paths against each other and check the exact bound in integer units.
public class LockFreeBucketTests
{
    [Fact]
    public void Racing_lock_free_and_locked_paths_never_take_more_than_was_supplied()
    {
        // Burst credits and an emergency class make some requests take the monitor while others go
        // lock-free; refunds race both. Time advances in steps while the workers run.
        const double Capacity = 400, Refill = 1_000, Burst = 100, Debt = 50;
        var limits = new BucketLimits(Capacity, Refill, burstCredits: Burst, emergencyDebt: Debt);
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = time, EvictionInterval = Timeout.InfiniteTimeSpan });
        var key = new BucketKey("acme", "search");
        const int Workers = 4, Operations = 40_000;
        long taken = 0, refunded = 0, emergencyTaken = 0;
        int running = Workers;
        Exception? failure = null;

        Thread[] workers = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            try
            {
                var random = new Random(w);
                for (int i = 0; i < Operations; i++)
                {
                    int cost = random.Next(1, 4);
                    bool emergency = random.Next(10) == 0;
                    if (store.TryAcquire(new QuotaStoreRequest(key, limits, cost, allowEmergency: emergency)).IsAdmitted)
                    {
                        Interlocked.Add(ref taken, cost);
                        if (emergency)
                        {
                            Interlocked.Add(ref emergencyTaken, cost);
                        }

                        if (random.Next(8) == 0)
                        {
                            // Counted before the unit goes back: the clock thread's check may then only
                            // under-count what is out, never see another worker take the unit first.
                            Interlocked.Increment(ref refunded);
                            store.Settle(key, limits, -1); // a refund of one unit
                        }
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        })).ToArray();

        long violations = 0;
        var clock = new Thread(() =>
        {
            while (Volatile.Read(ref running) > 0)
            {
                time.Advance(TimeSpan.FromTicks(500));
                // Everything counted so far happened at or before now: the bound must hold at every step.
                double supplied = Capacity + Burst + Debt + (Refill * time.Elapsed().TotalSeconds);
                if (Interlocked.Read(ref taken) - Interlocked.Read(ref refunded) > supplied + 1e-6)
                {
                    Interlocked.Increment(ref violations);
                }

                Thread.Yield();
            }
        });

        foreach (Thread t in workers)
        {
            t.Start();
        }

        clock.Start();
        foreach (Thread t in workers)
        {
            t.Join();
        }

        clock.Join();
        Assert.Null(failure);
        Assert.Equal(0, violations);

        // Conservation: what was taken (net of refunds) plus what is left is never more than what was supplied.
        double suppliedTotal = Capacity + Burst + (Refill * time.Elapsed().TotalSeconds);
        double left = store.Peek(key, limits).Available;
        Assert.True(taken - refunded + left <= suppliedTotal + 1e-6,
            $"taken {taken} - refunded {refunded} + left {left} > supplied {suppliedTotal}");
        Assert.True(emergencyTaken > 0, "no emergency request was admitted: the locked path did not race");
    }

    [Fact]
    public void A_reshape_racing_admissions_never_applies_one_shape_to_the_other()
    {
        // Two shapes of one bucket with different tick sizes (a reload changing the refill rate), used
        // alternately by racing threads with time frozen: each switch retires the bucket into a successor.
        // A charge computed in one shape but applied to the other would be half or double its size, and
        // the units admitted would drift from the capacity. With no refill, exactly the capacity is admitted.
        const int Capacity = 2_000;
        var slow = new BucketLimits(Capacity, refillPerSecond: 10);   // 1,000,000 ticks per unit
        var fast = new BucketLimits(Capacity, refillPerSecond: 20);   //   500,000 ticks per unit
        var time = TestTime.Create();
        time.Advance(TimeSpan.FromHours(1));
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = time, EvictionInterval = Timeout.InfiniteTimeSpan });
        var key = new BucketKey("acme", "search");
        long admitted = 0;

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, w =>
        {
            for (int i = 0; i < 3_000; i++)
            {
                BucketLimits shape = (i + w) % 3 == 0 ? fast : slow;
                if (store.TryAcquire(new QuotaStoreRequest(key, shape, 1)).IsAdmitted)
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        });

        Assert.Equal(Capacity, admitted);
        Assert.Equal(0, store.Peek(key, slow).Available, 9);
        Assert.Equal(1, store.BucketCount);
    }

    [Fact]
    public void A_run_remembers_its_bucket_and_recovers_when_the_bucket_is_evicted_or_reshaped()
    {
        var time = TestTime.Create();
        var provider = AgentQuotas.Policy.QuotaPolicyProvider.FromPolicy(TestPolicies.Simple(capacity: 10, refill: 1));
        var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = time, IdleTimeout = TimeSpan.FromSeconds(1), EvictionInterval = Timeout.InfiniteTimeSpan });
        using var gate = new QuotaGate(provider, new QuotaGateOptions { TimeProvider = time, Store = store });
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        var tool = new QuotaTool("t", "search");

        Assert.True(run.Acquire(tool, 4).IsAdmitted);                 // 6 left, bucket remembered by the run
        time.Advance(TimeSpan.FromSeconds(10));                       // full again, then idle
        Assert.Equal(1, store.EvictIdle());                           // the remembered bucket is retired
        Assert.Equal(6, run.Acquire(tool, 4).Decision.Remaining, 9);  // a fresh, full bucket: 10 - 4

        provider.Apply(TestPolicies.Simple(capacity: 5, refill: 1));  // reshape: level 6 clipped to 5
        QuotaTicket third = run.Acquire(tool, 4);
        Assert.True(third.IsAdmitted);
        Assert.Equal(1, third.Decision.Remaining, 9);
        Assert.False(run.Acquire(tool, 4).IsAdmitted);                // 1 left in the new shape
        Assert.Equal(1, store.BucketCount);
    }
}
