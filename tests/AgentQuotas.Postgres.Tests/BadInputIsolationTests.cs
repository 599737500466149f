using AgentQuotas.Audit;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Postgres.Tests;

/// <summary>
/// One tenant's bad number or bad text never degrades anyone else: a huge reported cost saturates exactly
/// as in memory, a request the server refuses for its data is refused alone (the store stays available),
/// and an audit record the table cannot hold is quarantined alone, never its batch.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BadInputIsolationTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private const double Capacity = 1000;
    private const double Refill = 5;
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("badinput");

    public Task DisposeAsync() => Task.CompletedTask;

    private static BucketLimits Limits => TestSupport.Limits(TestSupport.Policy(Capacity, Refill));

    [Fact]
    public async Task A_cost_of_1e13_saturates_like_the_memory_store_and_the_store_stays_available()
    {
        int changes = 0;
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.OnAvailabilityChanged = _ => { Interlocked.Increment(ref changes); return ValueTask.CompletedTask; });
        var memory = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = TestTime.Create() });
        var key = new BucketKey("huge", "search");
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 10))).IsAdmitted);
        Assert.True(memory.TryAcquire(new QuotaStoreRequest(key, Limits, 10)).IsAdmitted);

        for (int i = 0; i < 3; i++)
        {
            await store.SettleAsync(key, Limits, 1e13);
            memory.Settle(key, Limits, 1e13);
        }

        Assert.True(store.IsAvailable);
        Assert.Equal(0, store.Statistics.PendingCorrections);
        double expected = memory.Peek(key, Limits).Available;
        Assert.Equal(-Refill * 100_000_000, expected, 3);
        Assert.Equal(expected, (await store.PeekAsync(key, Limits)).Available, 0);   // within a second of refill

        QuotaStoreResult refused = await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 1));
        QuotaStoreResult refusedInMemory = memory.TryAcquire(new QuotaStoreRequest(key, Limits, 1));
        Assert.Equal(QuotaStoreOutcome.BucketExhausted, refused.Outcome);
        Assert.Equal(refusedInMemory.Outcome, refused.Outcome);
        Assert.InRange(refused.RetryAfter!.Value.TotalSeconds, refusedInMemory.RetryAfter!.Value.TotalSeconds - 60, refusedInMemory.RetryAfter!.Value.TotalSeconds);

        // Another tenant is served as if nothing happened.
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(new BucketKey("neighbour", "search"), Limits, 10))).IsAdmitted);
        Assert.True(store.IsAvailable);
        Assert.Equal(0, Volatile.Read(ref changes));
    }

    [Fact]
    public async Task Text_the_server_cannot_store_is_refused_alone_and_the_store_stays_available()
    {
        int changes = 0;
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.OnAvailabilityChanged = _ => { Interlocked.Increment(ref changes); return ValueTask.CompletedTask; });
        foreach (string bad in new[] { "nul\0tenant", "lone\uD800" })
        {
            var key = new BucketKey(bad, "search");
            ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryAcquireAsync(new QuotaStoreRequest(key, Limits, 1)));
            Assert.Contains("tenant", e.Message);
            Assert.Throws<ArgumentException>(() => store.Settle(key, Limits, 1));
        }

        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(new BucketKey("fine", "search"), Limits, 1))).IsAdmitted);
        Assert.True(store.IsAvailable);
        Assert.Equal(0, Volatile.Read(ref changes));
    }

    [Fact]
    public async Task An_audit_record_the_table_cannot_hold_is_quarantined_alone()
    {
        await using PostgresAuditSink sink = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = _db, BatchSize = 800 });
        for (int i = 0; i < 800; i++)
        {
            QuotaAuditRecord record = AuditSinkTests.Record(i, "tenant-" + (i % 7));
            record = i switch
            {
                100 => record with { Principal = "user\uD800" },     // a lone surrogate
                500 => record with { Workflow = "work\0flow" },       // a NUL
                _ => record,
            };
            Assert.True(sink.TryWrite(record));
        }

        await sink.FlushAsync();
        Assert.Equal(800, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.audit WHERE tenant LIKE 'tenant-%'"));
        Assert.Equal(0, sink.DroppedCount);
        Assert.Equal(2, sink.QuarantinedCount);
        Assert.Equal(2, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.audit WHERE tenant LIKE 'tenant-%' AND detail LIKE 'quarantined:%'"));
        Assert.Equal(@"user\uD800", await PostgresCluster.ScalarAsync<string>(_db, "SELECT principal FROM agentquotas.audit WHERE detail LIKE 'quarantined:%' AND principal LIKE 'user%' AND principal NOT LIKE 'user-%'"));
    }
}
