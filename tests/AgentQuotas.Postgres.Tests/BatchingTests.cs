using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Npgsql;

namespace AgentQuotas.Postgres.Tests;

// Concurrent asynchronous acquisitions of one bucket are combined: while one round trip for the bucket is in
// flight, later callers wait and then go together in one acquire_many call. These tests race many callers
// and check that combining happened and that every decision is still exact (bucket, burst, debt, ceilings).
[Collection(PostgresCollection.Name)]
public sealed class BatchingTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("batching");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Racing_callers_of_one_bucket_are_combined_and_admitted_exactly_up_to_its_capacity()
    {
        // 300 units refilling at 1 per 1,000 s: the test's duration adds nothing. 64 callers ask for 1,000.
        var limits = new BucketLimits(capacity: 300, refillPerSecond: 0.001);
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db);
        var key = new BucketKey("t-race", "c");

        int[] admitted = await RaceAsync(store, callers: 64, perCaller: 16, _ => new QuotaStoreRequest(key, limits, 1));

        Assert.Equal(300, admitted.Sum());
        Assert.True(store.Statistics.RoundTrips < 64 * 16 / 2, $"{store.Statistics.RoundTrips} round trips for {64 * 16} acquires: nothing was combined");
        Assert.Equal(0, (await store.PeekAsync(key, limits)).Available, 2);
        Assert.Equal(300, (await store.GetSpendAsync("t-race")).ThisMonth);
    }

    [Fact]
    public async Task Combined_decisions_honour_burst_debt_and_the_daily_ceiling_like_separate_ones()
    {
        // Capacity 50, 20 burst credits banked at once, 30 units of emergency debt for a third of the callers,
        // a daily ceiling of 85: the ceiling (85) binds before level + credits + debt (100) run out.
        var limits = new BucketLimits(capacity: 50, refillPerSecond: 0.001, burstCredits: 20, emergencyDebt: 30);
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db);
        var key = new BucketKey("t-mixed", "c");

        int[] admitted = await RaceAsync(store, callers: 48, perCaller: 8,
            caller => new QuotaStoreRequest(key, limits, 1, allowEmergency: caller % 3 == 0, maxCostPerDay: 85));

        Assert.Equal(85, admitted.Sum());
        Assert.Equal(85, (await store.GetSpendAsync("t-mixed")).ThisMonth);
        Assert.Equal(-15, (await store.PeekAsync(key, limits)).Available, 2); // 50 + 20 - 85: 15 borrowed
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_waiting_in_line_is_withdrawn_and_charged_nothing()
    {
        var limits = new BucketLimits(capacity: 100, refillPerSecond: 0.001);
        // The in-flight acquisition waits on the held row lock for as long as this test takes to set up
        // the race: a long statement timeout keeps a slow machine from turning that wait into an outage.
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        var key = new BucketKey("t-cancel", "c");
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1))).IsAdmitted); // the row exists

        // Hold the bucket's row so the next acquisition stays in flight, and queue two more behind it.
        await using var blocker = new NpgsqlConnection(_db);
        await blocker.OpenAsync();
        await using NpgsqlTransaction hold = await blocker.BeginTransactionAsync();
        await using (var select = new NpgsqlCommand("SELECT 1 FROM agentquotas.buckets WHERE tenant = 't-cancel' FOR UPDATE", blocker, hold))
        {
            await select.ExecuteScalarAsync();
        }

        ValueTask<QuotaStoreResult> inFlight = store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1));
        await TestSupport.WaitUntilAsync(async () => await BlockedSessionsAsync() == 1, giveUpAfterSeconds: 30);
        using var giveUp = new CancellationTokenSource();
        ValueTask<QuotaStoreResult> withdrawn = store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 10), giveUp.Token);
        ValueTask<QuotaStoreResult> kept = store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1));
        giveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await withdrawn);

        await hold.RollbackAsync();
        Assert.True((await inFlight).IsAdmitted);
        Assert.True((await kept).IsAdmitted);
        Assert.Equal(97, (await store.PeekAsync(key, limits)).Available, 2); // 1 + 1 + 1 taken; the 10 never were
        Assert.Equal(3, (await store.GetSpendAsync("t-cancel")).ThisMonth);
    }

    [Fact]
    public async Task With_combining_off_every_acquisition_is_its_own_round_trip()
    {
        var limits = new BucketLimits(capacity: 1000, refillPerSecond: 0.001);
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.MaxBatchSize = 1);
        var key = new BucketKey("t-off", "c");

        int[] admitted = await RaceAsync(store, callers: 16, perCaller: 4, _ => new QuotaStoreRequest(key, limits, 1));

        Assert.Equal(64, admitted.Sum());
        Assert.Equal(64, store.Statistics.RoundTrips);
    }

    [Fact]
    public async Task Lines_are_kept_only_while_a_bucket_has_a_round_trip_in_flight()
    {
        // 32 callers over 8 tenants' buckets: lines are created and dropped while they race. Every waiter must
        // still be served exactly once, and nothing may stay behind per bucket once the callers are done.
        var limits = new BucketLimits(capacity: 1000, refillPerSecond: 0.001);
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db);

        int[] admitted = await RaceAsync(store, callers: 32, perCaller: 8, c => new QuotaStoreRequest(new BucketKey("t-lines-" + (c % 8), "c"), limits, 1));

        Assert.Equal(256, admitted.Sum());
        for (int t = 0; t < 8; t++)
        {
            Assert.Equal(32, (await store.GetSpendAsync("t-lines-" + t)).ThisMonth);
        }

        // The last batch's sender drops its line just after completing its callers.
        await TestSupport.WaitUntilAsync(() => Task.FromResult(store.CombiningLines == 0), giveUpAfterSeconds: 30);
    }

    private static async Task<int[]> RaceAsync(PostgresQuotaStore store, int callers, int perCaller, Func<int, QuotaStoreRequest> request)
    {
        using var start = new SemaphoreSlim(0);
        Task<int>[] tasks = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            await start.WaitAsync();
            int admitted = 0;
            for (int i = 0; i < perCaller; i++)
            {
                admitted += (await store.TryAcquireAsync(request(c))).IsAdmitted ? 1 : 0;
            }

            return admitted;
        })).ToArray();
        start.Release(callers);
        return await Task.WhenAll(tasks);
    }

    private Task<long> BlockedSessionsAsync() => TestSupport.BlockedSessionsAsync(_db);

}
