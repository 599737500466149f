using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Npgsql;
using NpgsqlTypes;

namespace AgentQuotas.Postgres.Tests;

// Concurrent asynchronous acquisitions of different buckets (and tenants) are combined into one acquire_many
// round trip. These tests check that every caller gets its own exact answer, that batches locking the same
// rows in opposite orders never deadlock, that a batch failing part-way applies nothing, and that a caller
// can give up while its batch is in flight.
//
// Several tests pin a batch in place: a blocker transaction holds bucket rows so that every round trip the
// store may have in flight waits for it, the requests under test queue meanwhile, and when the blocker lets go the
// first round trip to end sends everything queued as one batch.
[Collection(PostgresCollection.Name)]
public sealed class CrossBucketCombiningTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private static readonly BucketLimits Roomy = new(capacity: 1000, refillPerSecond: 0.001);
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("crossbucket");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Racing_callers_of_many_buckets_on_two_hosts_each_get_their_own_exact_answer()
    {
        // 64 buckets (32 tenants x 2 categories) of 20 units refilling at 1 per 1,000 s; two hosts with 32
        // callers each ask for 2,560 units in all, each host walking the buckets in its own order.
        const int Tenants = 32, Capacity = 20, PerCaller = 40;
        var limits = new BucketLimits(capacity: Capacity, refillPerSecond: 0.001);
        BucketKey[] keys = [.. Enumerable.Range(0, Tenants * 2).Select(b => new BucketKey("t-exact-" + (b / 2).ToString("D2"), b % 2 == 0 ? "search" : "write"))];
        await using PostgresQuotaStore first = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        await using PostgresQuotaStore second = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));

        using var start = new SemaphoreSlim(0);
        Task<List<(int Bucket, QuotaStoreResult Result)>>[] callers = [.. Enumerable.Range(0, 64).Select(c => Task.Run(async () =>
        {
            PostgresQuotaStore store = c % 2 == 0 ? first : second;
            var mine = new List<(int, QuotaStoreResult)>();
            await start.WaitAsync();
            for (int i = 0; i < PerCaller; i++)
            {
                int bucket = c % 2 == 0 ? (c * 7 + i) % keys.Length : keys.Length - 1 - ((c * 7 + i) % keys.Length);
                mine.Add((bucket, await store.TryAcquireAsync(new QuotaStoreRequest(keys[bucket], limits, 1))));
            }

            return mine;
        }))];
        start.Release(64);
        List<(int Bucket, QuotaStoreResult Result)> all = [.. (await Task.WhenAll(callers)).SelectMany(r => r)];

        Assert.DoesNotContain(all, r => r.Result.Outcome is not (QuotaStoreOutcome.Admitted or QuotaStoreOutcome.BucketExhausted));
        for (int b = 0; b < keys.Length; b++)
        {
            // Each admission of a bucket saw the level its predecessor left: the levels left, rounded (the
            // refill in the test's time is far below half a unit), are 19, 18, ..., 0, each exactly once.
            int[] left = [.. all.Where(r => r.Bucket == b && r.Result.IsAdmitted).Select(r => (int)Math.Round(r.Result.Remaining)).Order()];
            Assert.Equal(Enumerable.Range(0, Capacity), left);
        }

        for (int t = 0; t < Tenants; t++)
        {
            Assert.Equal(2 * Capacity, (await first.GetSpendAsync("t-exact-" + t.ToString("D2"))).ThisMonth);
        }

        long acquires = all.Count;
        long roundTrips = first.Statistics.RoundTrips + second.Statistics.RoundTrips;
        Assert.True(roundTrips < acquires / 2, $"{roundTrips} round trips for {acquires} acquires over {keys.Length} buckets: nothing was combined across buckets");
        Assert.True(first.IsAvailable && second.IsAvailable);
        await TestSupport.WaitUntilAsync(() => Task.FromResult(first.CombiningLines == 0 && second.CombiningLines == 0 && first.CombiningWaiters == 0));
    }

    [Fact]
    public async Task Batches_naming_the_same_buckets_in_opposite_orders_never_deadlock()
    {
        // acquire_many called directly, as two hosts' batches would call it: 8 connections, each sending 40
        // batches of the same 8 buckets (4 tenants x 2 categories), half of them in ascending key order and
        // half descending. Without a fixed lock order two such transactions deadlock within a few calls.
        BucketKey[] keys = [.. Enumerable.Range(0, 8).Select(b => new BucketKey("t-order-" + (b / 2), b % 2 == 0 ? "search" : "write"))];
        const int Connections = 8, Batches = 40;
        await (await TestSupport.OpenStoreAsync(_db)).DisposeAsync(); // the schema
        Task[] racers = [.. Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
        {
            BucketKey[] order = c % 2 == 0 ? keys : [.. keys.Reverse()];
            await using var connection = new NpgsqlConnection(_db);
            await connection.OpenAsync();
            for (int i = 0; i < Batches; i++)
            {
                await using NpgsqlCommand command = AcquireMany(connection, order, Roomy);
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    Assert.Equal((int)QuotaStoreOutcome.Admitted, reader.GetInt32(1));
                }
            }
        }))];

        await Task.WhenAll(racers); // a deadlock would fail one of them with 40P01

        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db);
        foreach (BucketKey key in keys)
        {
            Assert.Equal(1000 - Connections * Batches, (await store.PeekAsync(key, Roomy)).Available, 0);
        }

        for (int t = 0; t < 4; t++)
        {
            Assert.Equal(2 * Connections * Batches, (await store.GetSpendAsync("t-order-" + t)).ThisMonth);
        }
    }

    [Fact]
    public async Task A_batch_the_server_refuses_part_way_applies_nothing_and_only_the_request_at_fault_fails()
    {
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        BucketKey a = new("a-fine", "c"), poison = new("m-poison", "c"), z = new("z-fine", "c");
        await CreateRowsAsync(store, a, poison, z);

        // The poisoned tenant's ledger refuses every change (SQLSTATE 22000, data exception). In one batch its
        // spend is written after a-fine's, so the batch fails after part of it was written.
        await PostgresCluster.ExecuteAsync(_db, """
            CREATE FUNCTION public.poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.tenant = 'm-poison' THEN RAISE EXCEPTION 'poisoned ledger' USING ERRCODE = '22000'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER poison BEFORE UPDATE ON agentquotas.spend FOR EACH ROW EXECUTE FUNCTION public.poison();
            """);

        long before = 0;
        QuotaStoreResult[] results = new QuotaStoreResult[3];
        Exception? poisonError = null;
        await WithBatchPinnedAsync(store, async () =>
        {
            before = store.Statistics.RoundTrips; // the pinning round trips are in flight
            Task<QuotaStoreResult>[] queued =
            [
                store.TryAcquireAsync(new QuotaStoreRequest(a, Roomy, 1)).AsTask(),
                store.TryAcquireAsync(new QuotaStoreRequest(poison, Roomy, 1)).AsTask(),
                store.TryAcquireAsync(new QuotaStoreRequest(z, Roomy, 1)).AsTask(),
            ];
            await TestSupport.WaitUntilAsync(() => Task.FromResult(store.CombiningWaiters == 3));
            return async () =>
            {
                results[0] = await queued[0];
                poisonError = await Record.ExceptionAsync(() => queued[1]);
                results[2] = await queued[2];
            };
        });

        Assert.True(results[0].IsAdmitted);
        Assert.True(results[2].IsAdmitted);
        PostgresStoreException refused = Assert.IsType<PostgresStoreException>(poisonError);
        Assert.Contains("poisoned ledger", refused.Message);

        // The batch (rolled back), then each of its three requests alone.
        Assert.Equal(4, store.Statistics.RoundTrips - before);
        Assert.True(store.IsAvailable);
        Assert.Equal(2, (await store.GetSpendAsync("a-fine")).ThisMonth);   // one before, one now: never twice
        Assert.Equal(2, (await store.GetSpendAsync("z-fine")).ThisMonth);
        Assert.Equal(1, (await store.GetSpendAsync("m-poison")).ThisMonth);
        Assert.Equal(999, (await store.PeekAsync(poison, Roomy)).Available, 0);
        Assert.Equal(998, (await store.PeekAsync(a, Roomy)).Available, 0);
    }

    [Fact]
    public async Task A_batch_whose_connection_is_lost_part_way_reports_it_to_every_caller_and_applies_nothing()
    {
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        BucketKey a = new("a-lost", "c"), b = new("b-lost", "c"), z = new("z-lost", "c");
        await CreateRowsAsync(store, a, b, z);
        string rowsBefore = await RowsAsync("a-lost", "b-lost", "z-lost");

        // z's row is held, so the batch locks a and b and then waits; its connection is cut there.
        await using var holdZ = new NpgsqlConnection(_db);
        await holdZ.OpenAsync();
        await using NpgsqlTransaction zHeld = await holdZ.BeginTransactionAsync();
        await LockBucketAsync(holdZ, zHeld, "z-lost");

        QuotaStoreResult[] results = [];
        await WithBatchPinnedAsync(store, async () =>
        {
            Task<QuotaStoreResult>[] queued = [.. new[] { a, b, z }.Select(k => store.TryAcquireAsync(new QuotaStoreRequest(k, Roomy, 1)).AsTask())];
            await TestSupport.WaitUntilAsync(() => Task.FromResult(store.CombiningWaiters == 3));
            return async () =>
            {
                await TestSupport.WaitUntilAsync(async () => await BatchesWaitingAsync() == 1);
                await PostgresCluster.ExecuteAsync(_db,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%acquire_many%' AND datname = current_database()");
                results = await Task.WhenAll(queued);
            };
        });
        await zHeld.RollbackAsync();

        // Fail-closed (the default): every caller of the batch is refused as unavailable, none admitted.
        Assert.All(results, r => Assert.Equal(QuotaStoreOutcome.Unavailable, r.Outcome));
        Assert.Equal(rowsBefore, await RowsAsync("a-lost", "b-lost", "z-lost"));
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_its_batch_is_in_flight_returns_at_once_and_the_others_are_answered()
    {
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.CommandTimeout = TimeSpan.FromMinutes(2));
        BucketKey a = new("a-quit", "c"), z = new("z-stay", "c");
        await CreateRowsAsync(store, a, z);

        await using var holdZ = new NpgsqlConnection(_db);
        await holdZ.OpenAsync();
        await using NpgsqlTransaction zHeld = await holdZ.BeginTransactionAsync();
        await LockBucketAsync(holdZ, zHeld, "z-stay");

        using var giveUp = new CancellationTokenSource();
        Task<QuotaStoreResult>? staying = null;
        await WithBatchPinnedAsync(store, async () =>
        {
            Task<QuotaStoreResult> quitting = store.TryAcquireAsync(new QuotaStoreRequest(a, Roomy, 1), giveUp.Token).AsTask();
            staying = store.TryAcquireAsync(new QuotaStoreRequest(z, Roomy, 1)).AsTask();
            await TestSupport.WaitUntilAsync(() => Task.FromResult(store.CombiningWaiters == 2));
            return async () =>
            {
                // The batch of both is in flight, waiting for z's row: the caller of a gives up and is released.
                await TestSupport.WaitUntilAsync(async () => await BatchesWaitingAsync() == 1);
                giveUp.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitting);
                Assert.False(staying!.IsCompleted);
            };
        });

        await zHeld.RollbackAsync();
        Assert.True((await staying!).IsAdmitted);

        // Its request had been sent: like any cancelled round trip its outcome stays as the server decided it
        // (here admitted and charged), and nothing was decided twice.
        Assert.Equal(2, (await store.GetSpendAsync("a-quit")).ThisMonth);
        Assert.Equal(2, (await store.GetSpendAsync("z-stay")).ThisMonth);
        await TestSupport.WaitUntilAsync(() => Task.FromResult(store.CombiningLines == 0));
    }

    [Fact]
    public async Task Eviction_skips_a_bucket_another_transaction_holds_instead_of_waiting_for_it()
    {
        // acquire_many holds several bucket rows at once; an eviction that waited for one of them while holding
        // another could deadlock with it. Buckets that refill 1,000,000 units a second are full and idle at once.
        var fast = new BucketLimits(capacity: 1, refillPerSecond: 1_000_000);
        await using (PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db))
        {
            foreach (string tenant in new[] { "evict-held", "evict-idle" })
            {
                Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(new BucketKey(tenant, "c"), fast, 1))).IsAdmitted);
            }
        }

        await using var holder = new NpgsqlConnection(_db);
        await holder.OpenAsync();
        await using NpgsqlTransaction held = await holder.BeginTransactionAsync();
        await LockBucketAsync(holder, held, "evict-held");

        await using var evictor = new NpgsqlConnection(_db);
        await evictor.OpenAsync();
        // A bound, not a timing assumption: an eviction that waited for the held row fails instead of hanging.
        await using (var bound = new NpgsqlCommand("SET statement_timeout = '60s'", evictor))
        {
            await bound.ExecuteNonQueryAsync();
        }

        await using var evict = new NpgsqlCommand("SELECT agentquotas.evict_idle_buckets(interval '0 seconds')", evictor);
        Assert.Equal(1, (int)(await evict.ExecuteScalarAsync())!);
        await held.RollbackAsync();
        Assert.Equal(1L, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.buckets WHERE tenant LIKE 'evict-%'"));
        Assert.Equal("evict-held", await PostgresCluster.ScalarAsync<string>(_db, "SELECT tenant FROM agentquotas.buckets WHERE tenant LIKE 'evict-%'"));
    }

    // Holds as many bucket rows as the store may have round trips in flight, so that each of them waits for
    // one, runs queue (which starts the requests under test and returns what to do once they are sent), lets
    // go, and runs that.
    private async Task WithBatchPinnedAsync(PostgresQuotaStore store, Func<Task<Func<Task>>> queue)
    {
        BucketKey[] pins = [.. Enumerable.Range(0, PostgresQuotaStore.CombiningLanes).Select(p => new BucketKey("pin-" + p, "c"))];
        await CreateRowsAsync(store, pins);
        await using var blocker = new NpgsqlConnection(_db);
        await blocker.OpenAsync();
        NpgsqlTransaction hold = await blocker.BeginTransactionAsync();
        foreach (BucketKey pin in pins)
        {
            await LockBucketAsync(blocker, hold, pin.Tenant);
        }

        long blocked = await BlockedSessionsAsync();
        var pinned = new List<Task<QuotaStoreResult>>();
        foreach (BucketKey pin in pins)
        {
            pinned.Add(store.TryAcquireAsync(new QuotaStoreRequest(pin, Roomy, 1)).AsTask());
            await TestSupport.WaitUntilAsync(async () => await BlockedSessionsAsync() == blocked + pinned.Count);
        }

        Func<Task> afterRelease = await queue();
        await hold.RollbackAsync();
        await hold.DisposeAsync();
        foreach (Task<QuotaStoreResult> pin in pinned)
        {
            Assert.True((await pin).IsAdmitted);
        }

        await afterRelease();
    }

    private static async Task CreateRowsAsync(PostgresQuotaStore store, params BucketKey[] keys)
    {
        foreach (BucketKey key in keys)
        {
            Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, Roomy, 1))).IsAdmitted);
        }
    }

    private static async Task LockBucketAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant)
    {
        await using var select = new NpgsqlCommand("SELECT 1 FROM agentquotas.buckets WHERE tenant = $1 FOR UPDATE", connection, transaction);
        select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        await select.ExecuteScalarAsync();
    }

    private async Task<string> RowsAsync(params string[] tenants)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT string_agg(tenant || ':' || tat || ':' || credits, ',' ORDER BY tenant) FROM agentquotas.buckets WHERE tenant = ANY($1)" +
            " UNION ALL SELECT string_agg(tenant || ':' || period::text || ':' || spent, ',' ORDER BY tenant, period) FROM agentquotas.spend WHERE tenant = ANY($1)",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = tenants });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return string.Join(" | ", rows);
    }

    private static NpgsqlCommand AcquireMany(NpgsqlConnection connection, BucketKey[] keys, BucketLimits limits)
    {
        int n = keys.Length;
        long ticksPerUnit = (long)(TimeSpan.TicksPerSecond / limits.RefillPerSecond);
        var command = new NpgsqlCommand("SELECT * FROM agentquotas.acquire_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.Tenant)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.Category)] });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = Enumerable.Repeat(limits.Capacity, n).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = Enumerable.Repeat(limits.RefillPerSecond, n).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = new double[n] });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = new double[n] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = Enumerable.Repeat((long)limits.Capacity * ticksPerUnit, n).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = new long[n] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = new long[n] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. Enumerable.Range(1, n)] });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = Enumerable.Repeat(1m, n).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = Enumerable.Repeat(ticksPerUnit, n).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = new bool[n] });
        command.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = new decimal?[n], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = new decimal?[n], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        return command;
    }

    private Task<long> BlockedSessionsAsync() => TestSupport.BlockedSessionsAsync(_db);

    private async Task<long> BatchesWaitingAsync() =>
        await PostgresCluster.ScalarAsync<long>(_db,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%acquire_many%' AND pid <> pg_backend_pid() AND datname = current_database()");

}
