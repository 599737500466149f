using AgentQuotas.Policy;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Xunit.Abstractions;

namespace AgentQuotas.Postgres.Tests;

/// <summary>
/// Four gates, each on its own store and connection pool (as four hosts would be), hammer one tenant's
/// bucket. Elapsed time is read from the database clock, which is the clock the buckets use.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MultiHostTests(SharedClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Hosts = 4;
    private const int Capacity = 50;
    private const int Refill = 200;                        // 50,000 ticks per unit: costs of 1 and 3 units are exact
    private const long TicksPerUnit = TimeSpan.TicksPerSecond / Refill;
    private static readonly QuotaPolicy Policy = TestSupport.Policy(Capacity, Refill);

    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("multihost");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Without_leasing_hosts_never_admit_more_than_capacity_plus_refill_times_elapsed_exactly()
    {
        await using Hammer hammer = await Hammer.StartAsync(_db, Policy, Hosts, tenant: "exact");
        long start = await PostgresCluster.DatabaseTicksAsync(_db);
        Hammer.Tally warmup = await hammer.RunAsync(workersPerGate: 4, callsPerWorker: 60, Cost);
        long windowStart = await PostgresCluster.DatabaseTicksAsync(_db);
        Hammer.Tally window = await hammer.RunAsync(workersPerGate: 4, callsPerWorker: 60, Cost, seed: 2);
        long end = await PostgresCluster.DatabaseTicksAsync(_db);

        // From the bucket's creation: everything admitted <= capacity + refill x elapsed, in exact integer ticks.
        decimal total = warmup.AdmittedCost + window.AdmittedCost;
        output.WriteLine($"leasing off: admitted {total} of bound {Capacity + (Refill * TestSupport.Seconds(end - start)):F2} in {TestSupport.Seconds(end - start):F3} s; " +
            $"window {window.AdmittedCost} of {Capacity + (Refill * TestSupport.Seconds(end - windowStart)):F2}; {warmup.Admitted + warmup.Denied + window.Admitted + window.Denied} calls");
        Assert.True(total * TicksPerUnit <= (Capacity * TicksPerUnit) + (end - start),
            $"admitted {total} > {Capacity} + {Refill} x {TestSupport.Seconds(end - start):F4} s");

        // And over any window, even one starting with a full bucket's worth of other hosts' traffic.
        Assert.True(window.AdmittedCost * TicksPerUnit <= (Capacity * TicksPerUnit) + (end - windowStart),
            $"window admitted {window.AdmittedCost} > {Capacity} + {Refill} x {TestSupport.Seconds(end - windowStart):F4} s");

        // It contended, every refusal was the bucket's, and the budget was used, not wasted.
        Assert.True(warmup.Denied + window.Denied > 100, $"only {warmup.Denied + window.Denied} refusals");
        Assert.Equal([QuotaReason.None, QuotaReason.BucketExhausted], warmup.Reasons.Keys.Union(window.Reasons.Keys).Order());
        Assert.True(total >= 0.5m * (Capacity + (Refill * (decimal)TestSupport.Seconds(end - start))), $"only {total} admitted");
        Assert.Equal(total, (decimal)(await hammer.Stores[0].GetSpendAsync("exact")).Today);
        // At most one round trip per call (+ the spend read): concurrent calls of the bucket on one host share one.
        Assert.InRange(hammer.Stores.Sum(s => s.Statistics.RoundTrips) - 1, 1, Hosts * 4 * 120);
    }

    [Fact]
    public async Task With_leasing_the_total_stays_exact_and_a_window_overshoots_by_at_most_one_slice_per_host()
    {
        const int LeasedCapacity = 400, LeasedRefill = 400;  // 25,000 ticks per unit
        const long Tpu = TimeSpan.TicksPerSecond / LeasedRefill;
        const double Fraction = 0.1;
        const int Slice = (int)(LeasedCapacity * Fraction); // 40 units
        await using Hammer hammer = await Hammer.StartAsync(_db, TestSupport.Policy(LeasedCapacity, LeasedRefill), Hosts, o =>
        {
            o.EnableLeasing = true;
            o.LeaseFraction = Fraction;
        }, tenant: "leased");
        long start = await PostgresCluster.DatabaseTicksAsync(_db);
        Hammer.Tally warmup = await hammer.RunAsync(workersPerGate: 4, callsPerWorker: 150, Cost);
        long windowStart = await PostgresCluster.DatabaseTicksAsync(_db);
        Hammer.Tally window = await hammer.RunAsync(workersPerGate: 4, callsPerWorker: 150, Cost, seed: 2);
        long end = await PostgresCluster.DatabaseTicksAsync(_db);

        decimal total = warmup.AdmittedCost + window.AdmittedCost;
        long leased = hammer.Stores.Sum(s => s.Statistics.LeasedAdmissions);
        long refused = hammer.Stores.Sum(s => s.Statistics.LocalRefusals);
        long roundTrips = hammer.Stores.Sum(s => s.Statistics.RoundTrips);
        output.WriteLine($"leasing on: admitted {total} of bound {LeasedCapacity + (LeasedRefill * TestSupport.Seconds(end - start)):F2} in {TestSupport.Seconds(end - start):F3} s; " +
            $"window {window.AdmittedCost} of {LeasedCapacity + (LeasedRefill * TestSupport.Seconds(end - windowStart)):F2} (+{Slice * Hosts}); " +
            $"{leased} leased, {refused} refused locally, {roundTrips} round trips for {Hosts * 4 * 300} calls");

        // From the bucket's creation the bound stays exact: a lease is taken from the bucket before it is spent.
        Assert.True(total * Tpu <= (LeasedCapacity * Tpu) + (end - start),
            $"admitted {total} > {LeasedCapacity} + {LeasedRefill} x {TestSupport.Seconds(end - start):F4} s");

        // Units leased before a window may be spent in it: at most one slice per host more.
        Assert.True(window.AdmittedCost * Tpu <= ((LeasedCapacity + (Slice * Hosts)) * Tpu) + (end - windowStart),
            $"window admitted {window.AdmittedCost} > {LeasedCapacity} + {Slice} x {Hosts} + {LeasedRefill} x {TestSupport.Seconds(end - windowStart):F4} s");

        // Leasing saved round trips (admissions from slices, refusals from the last view of an empty bucket),
        // and once the leases are back the ledger holds exactly what was admitted.
        // The full bucket alone is ten slices of 40 units, each serving about 19 calls locally after the call that took it.
        Assert.True(leased >= 100, $"{leased} of {warmup.Admitted + window.Admitted} admissions were leased");
        Assert.True(refused > 0, "no local refusals");
        Assert.True(roundTrips < Hosts * 4 * 300 / 2, $"{roundTrips} round trips for {Hosts * 4 * 300} calls");
        foreach (PostgresQuotaStore store in hammer.Stores)
        {
            await store.ReturnLeasesAsync();
        }

        Assert.Equal(total, (decimal)(await hammer.Stores[0].GetSpendAsync("leased")).Today);
        Assert.Equal([QuotaReason.None, QuotaReason.BucketExhausted], warmup.Reasons.Keys.Union(window.Reasons.Keys).Order());
    }

    [Fact]
    public async Task Buckets_of_other_tenants_and_categories_are_independent()
    {
        await using PostgresQuotaStore a = await TestSupport.OpenStoreAsync(_db);
        await using PostgresQuotaStore b = await TestSupport.OpenStoreAsync(_db);

        // A refill so slow that no delay between the calls (a loaded CI machine) can refill the 5 units asked for
        // (5,000 s): at 200/s, 25 ms between the first two calls was enough to admit the second.
        BucketLimits limits = TestSupport.Limits(TestSupport.Policy(Capacity, refill: 0.001));
        Assert.True((await a.TryAcquireAsync(new QuotaStoreRequest(new("t1", "search"), limits, Capacity))).IsAdmitted);
        Assert.False((await b.TryAcquireAsync(new QuotaStoreRequest(new("t1", "search"), limits, 5))).IsAdmitted);
        Assert.True((await b.TryAcquireAsync(new QuotaStoreRequest(new("t2", "search"), limits, Capacity))).IsAdmitted);
        Assert.True((await b.TryAcquireAsync(new QuotaStoreRequest(new("t1", "other"), limits, Capacity))).IsAdmitted);
    }

    private static double Cost(Random random) => random.Next(2) == 0 ? 1 : 3;
}
