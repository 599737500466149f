using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Npgsql;

namespace AgentQuotas.Postgres.Tests;

// A combined batch whose requests all name one bucket under one pair of ceilings goes to acquire_batch (the cheaper
// call for a hot bucket, as before acquire_many); a batch of several buckets, or of one bucket under differing
// ceilings, goes to acquire_many. Both decide each request as a separate acquire() would: the answers are the same.
//
// Each test pins a batch in place, as CrossBucketCombiningTests do: a blocker transaction holds as many bucket rows
// as the store may have round trips in flight, the requests under test queue meanwhile, and when the blocker lets
// go the first round trip to end sends everything queued as one batch.
[Collection(PostgresCollection.Name)]
public sealed class BatchRoutingTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private static readonly BucketLimits Roomy = new(capacity: 1000, refillPerSecond: 0.001);
    private static readonly BucketLimits Small = new(capacity: 4, refillPerSecond: 0.000001);
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("batchroute");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_batch_of_one_bucket_goes_to_acquire_batch_and_a_batch_of_several_buckets_to_acquire_many()
    {
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        BucketKey hot = new("route-hot", "c"), left = new("route-left", "c"), right = new("route-right", "c");

        QuotaStoreResult[] one = await PinnedBatchAsync(store, [.. Enumerable.Repeat(new QuotaStoreRequest(hot, Small, 1), 6)],
            expect: (AcquireBatch: 1, AcquireMany: 0));
        Assert.Equal([3, 2, 1, 0], one.Take(4).Select(r => Math.Round(r.Remaining, 3)));  // in arrival order, each after its predecessor
        Assert.All(one.Take(4), r => Assert.True(r.IsAdmitted));
        Assert.All(one.Skip(4), r => Assert.Equal(QuotaStoreOutcome.BucketExhausted, r.Outcome));

        QuotaStoreResult[] two = await PinnedBatchAsync(store,
            [new(left, Roomy, 1), new(right, Roomy, 1), new(left, Roomy, 2), new(right, Roomy, 3)],
            expect: (AcquireBatch: 0, AcquireMany: 1));
        Assert.All(two, r => Assert.True(r.IsAdmitted));
        Assert.Equal(3, (await store.GetSpendAsync("route-left")).ThisMonth);
        Assert.Equal(4, (await store.GetSpendAsync("route-right")).ThisMonth);
    }

    [Fact]
    public async Task A_batch_of_one_bucket_under_differing_ceilings_goes_to_acquire_many()
    {
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        BucketKey key = new("route-reload", "c");

        // A policy reload between two requests of one bucket changed its tenant's daily ceiling: acquire_batch takes
        // one pair of ceilings, so the batch goes to acquire_many, which takes each request's own.
        QuotaStoreResult[] results = await PinnedBatchAsync(store,
            [new(key, Roomy, 2, maxCostPerDay: 10), new(key, Roomy, 2, maxCostPerDay: 3), new(key, Roomy, 2, maxCostPerDay: 10)],
            expect: (AcquireBatch: 0, AcquireMany: 1));
        Assert.Equal(
            [QuotaStoreOutcome.Admitted, QuotaStoreOutcome.DailyCeilingReached, QuotaStoreOutcome.Admitted],
            results.Select(r => r.Outcome));
    }

    [Fact]
    public async Task Acquire_batch_and_acquire_many_answer_the_same_requests_identically()
    {
        // The same requests (costs, burst, emergency debt, daily and monthly ceilings) of two tenants' buckets: one
        // tenant's as a batch of its bucket alone (acquire_batch), the other's mixed with another bucket's (acquire_many).
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        var limits = new BucketLimits(capacity: 4, refillPerSecond: 0.000001, burstCredits: 1, emergencyDebt: 2);
        double[] costs = [1, 2.5, 0.5, 1.5, 3, 1, 0.25, 2];
        bool[] emergency = [false, false, true, false, true, false, false, true];
        QuotaStoreRequest Request(string tenant, int i) =>
            new(new BucketKey(tenant, "c"), limits, costs[i], emergency[i], maxCostPerDay: 7, maxCostPerMonth: 6.5);

        QuotaStoreResult[] viaBatch = await PinnedBatchAsync(store, [.. costs.Select((_, i) => Request("same-batch", i))],
            expect: (AcquireBatch: 1, AcquireMany: 0));
        QuotaStoreRequest[] mixed = [.. costs.SelectMany((_, i) => new[] { Request("same-many", i), new QuotaStoreRequest(new BucketKey("same-other", "c"), Roomy, 1) })];
        QuotaStoreResult[] viaMany = [.. (await PinnedBatchAsync(store, mixed, expect: (AcquireBatch: 0, AcquireMany: 1))).Where((_, i) => i % 2 == 0)];

        Assert.Contains(viaBatch, r => r.IsAdmitted);
        Assert.Contains(viaBatch, r => !r.IsAdmitted);
        for (int i = 0; i < costs.Length; i++)
        {
            Assert.Equal(viaBatch[i].Outcome, viaMany[i].Outcome);
            Assert.Equal(viaBatch[i].Remaining, viaMany[i].Remaining, 3);
            Assert.Equal(viaBatch[i].UsedBurst, viaMany[i].UsedBurst);
            Assert.Equal(viaBatch[i].UsedEmergency, viaMany[i].UsedEmergency);
            Assert.Equal(viaBatch[i].RetryAfter is null, viaMany[i].RetryAfter is null);
        }

        Assert.Equal((await store.GetSpendAsync("same-batch")).ThisMonth, (await store.GetSpendAsync("same-many")).ThisMonth);
        Assert.Equal((await store.PeekAsync(new("same-batch", "c"), limits)).Available, (await store.PeekAsync(new("same-many", "c"), limits)).Available, 3);
    }

    // Queues requests behind pinned round trips, lets go, and returns their answers in order, after checking which
    // function decided them: expect is how many more calls of acquire_batch and of acquire_many the batch made.
    private async Task<QuotaStoreResult[]> PinnedBatchAsync(PostgresQuotaStore store, QuotaStoreRequest[] requests, (long AcquireBatch, long AcquireMany) expect)
    {
        BucketKey[] pins = [.. Enumerable.Range(0, PostgresQuotaStore.CombiningLanes).Select(p => new BucketKey("pin-" + p, "c"))];
        foreach (BucketKey pin in pins)
        {
            Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(pin, Roomy, 1))).IsAdmitted);
        }

        await using var blocker = new NpgsqlConnection(_db);
        await blocker.OpenAsync();
        NpgsqlTransaction hold = await blocker.BeginTransactionAsync();
        foreach (BucketKey pin in pins)
        {
            await using var select = new NpgsqlCommand("SELECT 1 FROM agentquotas.buckets WHERE tenant = $1 FOR UPDATE", blocker, hold);
            select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pin.Tenant });
            await select.ExecuteScalarAsync();
        }

        long blocked = await BlockedSessionsAsync();
        var pinned = new List<Task<QuotaStoreResult>>();
        foreach (BucketKey pin in pins)
        {
            pinned.Add(store.TryAcquireAsync(new QuotaStoreRequest(pin, Roomy, 1)).AsTask());
            await TestSupport.WaitUntilAsync(async () => await BlockedSessionsAsync() == blocked + pinned.Count);
        }

        (long AcquireBatch, long AcquireMany) before = store.CombinedCalls;
        Task<QuotaStoreResult>[] queued = [.. requests.Select(r => store.TryAcquireAsync(r).AsTask())];
        await TestSupport.WaitUntilAsync(() => Task.FromResult(store.CombiningWaiters == requests.Length));
        await hold.RollbackAsync();
        await hold.DisposeAsync();
        foreach (Task<QuotaStoreResult> pin in pinned)
        {
            Assert.True((await pin).IsAdmitted);
        }

        QuotaStoreResult[] results = await Task.WhenAll(queued);
        (long AcquireBatch, long AcquireMany) after = store.CombinedCalls;
        Assert.Equal(expect, (after.AcquireBatch - before.AcquireBatch, after.AcquireMany - before.AcquireMany));
        return results;
    }

    private Task<long> BlockedSessionsAsync() => TestSupport.BlockedSessionsAsync(_db);

}
