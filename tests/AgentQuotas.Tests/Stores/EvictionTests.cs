using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Stores;

public class EvictionTests
{
    private static readonly BucketLimits Limits = new(capacity: 10, refillPerSecond: 1, burstCredits: 5);

    [Fact]
    public void Idle_full_buckets_are_evicted_and_come_back_full()
    {
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions
        {
            TimeProvider = time,
            IdleTimeout = TimeSpan.FromMinutes(1),
            EvictionInterval = Timeout.InfiniteTimeSpan,
        });
        for (int i = 0; i < 100; i++)
        {
            Assert.True(store.TryAcquire(new QuotaStoreRequest(new BucketKey("t" + i, "c"), Limits, 3)).IsAdmitted);
        }

        // Taking 3 units at 1/s leaves each bucket full again after 3 s; it must then stay full a minute.
        Assert.Equal(100, store.BucketCount);
        time.Advance(TimeSpan.FromSeconds(62));
        Assert.Equal(0, store.EvictIdle());          // full for 59 s only

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(100, store.EvictIdle());
        Assert.Equal(0, store.BucketCount);
        Assert.Equal(15, store.Peek(new BucketKey("t0", "c"), Limits).Available);
    }

    [Fact]
    public void A_bucket_in_debt_is_never_evicted_before_it_has_refilled()
    {
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions
        {
            TimeProvider = time,
            IdleTimeout = TimeSpan.FromSeconds(10),
            EvictionInterval = Timeout.InfiniteTimeSpan,
        });
        var key = new BucketKey("acme", "c");
        var limits = new BucketLimits(capacity: 10, refillPerSecond: 1, burstCredits: 5, emergencyDebt: 100);
        Assert.True(store.TryAcquire(new QuotaStoreRequest(key, limits, 100, allowEmergency: true)).IsAdmitted); // 85 in debt

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, store.EvictIdle());          // still 25 short of full: evicting would forgive debt
        Assert.Equal(-25, store.Peek(key, limits).Available, 9);

        time.Advance(TimeSpan.FromSeconds(105));     // full (10), credits full (5), and idle 10 s
        Assert.Equal(1, store.EvictIdle());
    }

    [Fact]
    public void The_background_sweep_runs_on_the_time_provider()
    {
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions
        {
            TimeProvider = time,
            IdleTimeout = TimeSpan.FromMinutes(2),
            EvictionInterval = TimeSpan.FromMinutes(1),
        });
        int evicted = 0;
        store.Evicted += n => evicted += n;
        Assert.True(store.TryAcquire(new QuotaStoreRequest(new BucketKey("a", "c"), Limits, 1)).IsAdmitted);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, store.BucketCount);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, store.BucketCount);
        Assert.Equal(1, evicted);
    }

    [Fact]
    public async Task Acquiring_while_sweeping_never_admits_twice_from_one_bucket()
    {
        // Each phase starts with every bucket full and idle (so the sweeper may evict it at any moment)
        // and offers 8 racing attempts per key for 1 unit of a capacity-1 bucket, with time frozen.
        // Exactly one attempt per key may win: a charge landing on an evicted bucket would let a second
        // attempt win on the fresh one. Odd phases first wait for a full sweep, so eviction certainly
        // happens; even phases race the sweeper.
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions
        {
            TimeProvider = time,
            IdleTimeout = TimeSpan.FromTicks(1),
            EvictionInterval = Timeout.InfiniteTimeSpan,
        });
        var limits = new BucketLimits(capacity: 1, refillPerSecond: 1);
        const int Keys = 4, AttemptsPerKey = 8, Phases = 1500;
        var keys = Enumerable.Range(0, Keys).Select(k => new BucketKey("t" + k, "c")).ToArray();
        long evictions = 0, sweeps = 0;
        using var stop = new CancellationTokenSource();
        Task sweeper = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Interlocked.Add(ref evictions, store.EvictIdle());
                    Interlocked.Increment(ref sweeps);
                }
            },
            TaskCreationOptions.LongRunning);

        for (int phase = 0; phase < Phases; phase++)
        {
            time.Advance(TimeSpan.FromSeconds(2));
            if (phase % 2 == 1)
            {
                WaitForSweeps(ref sweeps, Interlocked.Read(ref sweeps) + 2);
            }

            var won = new int[Keys];
            Parallel.For(0, Keys * AttemptsPerKey, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            {
                if (store.TryAcquire(new QuotaStoreRequest(keys[i % Keys], limits, 1)).IsAdmitted)
                {
                    Interlocked.Increment(ref won[i % Keys]);
                }
            });
            Assert.All(won, w => Assert.Equal(1, w));
        }

        stop.Cancel();
        await sweeper;
        Assert.True(Interlocked.Read(ref evictions) >= Keys * (Phases / 2), "eviction did not happen between phases");
    }

    private static void WaitForSweeps(ref long sweeps, long target)
    {
        var spin = new SpinWait();
        DateTime giveUp = DateTime.UtcNow.AddSeconds(30); // a bound against a hung sweeper, not a timing assumption
        while (Interlocked.Read(ref sweeps) < target)
        {
            Assert.True(DateTime.UtcNow < giveUp, "the sweeper stopped sweeping");
            spin.SpinOnce();
        }
    }
}
