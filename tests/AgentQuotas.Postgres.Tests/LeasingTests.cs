using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class LeasingTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    // 100 units, refilling so slowly (1 per 1000 s) that the test's own duration does not show.
    private static readonly BucketLimits Limits = new(capacity: 100, refillPerSecond: 0.001, emergencyDebt: 20);
    private readonly FakeTimeProvider _time = TestTime.Create();
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("leasing");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_host_takes_one_slice_serves_from_it_locally_and_returns_what_it_did_not_use()
    {
        await using PostgresQuotaStore store = await OpenAsync();
        var key = new BucketKey("t-slice", "c");
        for (int i = 0; i < 3; i++)
        {
            var request = new QuotaStoreRequest(key, Limits, 2);
            Assert.True((i == 1 ? store.TryAcquire(request) : await store.TryAcquireAsync(request)).IsAdmitted); // both paths share the lease
        }

        Assert.Equal(1, store.Statistics.RoundTrips);           // one slice of 10 units served all three
        Assert.Equal(2, store.Statistics.LeasedAdmissions);
        Assert.InRange((await store.PeekAsync(key, Limits)).Level, 90, 90.01);
        Assert.Equal(10, (await store.GetSpendAsync("t-slice")).ThisMonth); // the ledger is charged for the slice

        await store.ReturnLeasesAsync();
        Assert.InRange((await store.PeekAsync(key, Limits)).Level, 94, 94.01);
        Assert.Equal(6, (await store.GetSpendAsync("t-slice")).ThisMonth);  // exactly what was admitted
    }

    [Fact]
    public async Task A_slice_never_reaches_past_the_daily_ceiling()
    {
        await using PostgresQuotaStore store = await OpenAsync();
        var key = new BucketKey("t-ceiling", "c");
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 47, maxCostPerDay: 50))).IsAdmitted); // too big to lease
        int admitted = 0;
        for (int i = 0; i < 6; i++)
        {
            // A slice would be 5 units (a tenth of the ceiling), but only 3 are left today.
            QuotaStoreResult result = await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 1, maxCostPerDay: 50));
            admitted += result.IsAdmitted ? 1 : 0;
            Assert.Equal(i < 3 ? QuotaStoreOutcome.Admitted : QuotaStoreOutcome.DailyCeilingReached, result.Outcome);
        }

        Assert.Equal(3, admitted);
        Assert.Equal(2, store.Statistics.LeasedAdmissions);
        Assert.Equal(50, (await store.GetSpendAsync("t-ceiling")).ThisMonth);
    }

    [Fact]
    public async Task Expired_leases_are_returned_by_the_sweep_and_live_ones_are_kept()
    {
        await using PostgresQuotaStore store = await OpenAsync();
        var key = new BucketKey("t-expiry", "c");
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 1))).IsAdmitted);
        Assert.InRange((await store.PeekAsync(key, Limits)).Level, 90, 90.01);

        _time.Advance(TimeSpan.FromMilliseconds(500));          // the sweep runs at 500 ms: the lease lives until 1 s
        await store.LastSweep;
        Assert.InRange((await store.PeekAsync(key, Limits)).Level, 90, 90.01);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        await store.LastSweep;
        Assert.InRange((await store.PeekAsync(key, Limits)).Level, 99, 99.01);
        Assert.Equal(1, (await store.GetSpendAsync("t-expiry")).ThisMonth);
    }

    [Fact]
    public async Task A_reload_returns_the_old_slice_in_the_same_round_trip_that_takes_a_new_one()
    {
        await using PostgresQuotaStore store = await OpenAsync();
        var key = new BucketKey("t-reload", "c");
        var reloaded = new BucketLimits(capacity: 200, refillPerSecond: 0.001, emergencyDebt: 20);
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 1))).IsAdmitted);    // slice 10 of 100
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, reloaded, 1))).IsAdmitted);  // 9 back, slice 20 of 200
        Assert.Equal(2, store.Statistics.RoundTrips);
        Assert.Equal(21, (await store.GetSpendAsync("t-reload")).ThisMonth); // 1 + slice of 20
        await store.ReturnLeasesAsync();
        Assert.Equal(2, (await store.GetSpendAsync("t-reload")).ThisMonth);
        Assert.InRange((await store.PeekAsync(key, reloaded)).Level, 98, 98.01);
    }

    [Fact]
    public async Task Corrections_that_fit_the_slice_stay_local()
    {
        await using PostgresQuotaStore store = await OpenAsync();
        var key = new BucketKey("t-settle", "c");
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 4))).IsAdmitted); // slice 10: 6 left
        await store.SettleAsync(key, Limits, 3);   // charged 3 more from the slice: 3 left
        await store.SettleAsync(key, Limits, -5);  // refunded into the slice: 8 left
        Assert.Equal(1, store.Statistics.RoundTrips);
        await store.SettleAsync(key, Limits, 30);  // more than the slice holds: to the server
        Assert.Equal(2, store.Statistics.RoundTrips);

        await store.ReturnLeasesAsync();
        Assert.Equal(32, (await store.GetSpendAsync("t-settle")).ThisMonth, 9); // 4 + 3 - 5 + 30
        Assert.InRange((await store.PeekAsync(key, Limits)).Level, 68, 68.01);
    }

    [Fact]
    public async Task An_empty_bucket_is_refused_locally_but_emergency_classes_still_reach_the_server()
    {
        await using PostgresQuotaStore store = await OpenAsync();
        var key = new BucketKey("t-empty", "c");
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 100))).IsAdmitted); // too big to lease: direct
        QuotaStoreResult first = await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 2));
        long trips = store.Statistics.RoundTrips;
        QuotaStoreResult second = await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 2));

        Assert.Equal(QuotaStoreOutcome.BucketExhausted, first.Outcome);
        Assert.Equal(QuotaStoreOutcome.BucketExhausted, second.Outcome);
        Assert.Equal(trips, store.Statistics.RoundTrips);        // the second was refused from what the first saw
        Assert.Equal(1, store.Statistics.LocalRefusals);
        Assert.InRange(second.RetryAfter!.Value.TotalSeconds, 1990, 2000); // 2 units at 0.001/s

        QuotaStoreResult borrowed = await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 2, allowEmergency: true));
        Assert.True(borrowed.UsedEmergency);
        Assert.Equal(trips + 1, store.Statistics.RoundTrips);
    }

    private Task<PostgresQuotaStore> OpenAsync() => TestSupport.OpenStoreAsync(_db, o =>
    {
        o.EnableLeasing = true;
        o.LeaseFraction = 0.1;
        o.LeaseDuration = TimeSpan.FromSeconds(1);
        o.TimeProvider = _time;
    });
}
