using System.Collections.Concurrent;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Xunit.Abstractions;

namespace AgentQuotas.Postgres.Tests;

/// <summary>
/// The server is stopped (pg_ctl stop -m fast) and started again under load. These tests own their
/// cluster (the "postgres-outage" collection), so stopping it never disturbs other tests.
/// </summary>
[Collection(PostgresOutageCollection.Name)]
public sealed class OutageTests(OutageClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);
    private string _db = "";

    private PostgresCluster Cluster => fixture.Cluster;

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("outage");

    public async Task DisposeAsync()
    {
        if (!Cluster.IsRunning)
        {
            await Cluster.StartServerAsync(); // a failed test never leaves the next one without a server
        }
    }

    [Theory]
    [InlineData(StoreFailureMode.FailClosed)]
    [InlineData(StoreFailureMode.FailOpen)]
    [InlineData(StoreFailureMode.LocalFallback)]
    public async Task Stopping_the_server_mid_load_is_decided_by_the_failure_mode_and_recovered_from(StoreFailureMode mode)
    {
        const int Hosts = 2, WorkersPerHost = 3, Capacity = 400;
        var time = TestTime.Create();    // the stores' clock: retries happen only when the test says
        string tenant = "load-" + mode.ToString().ToLowerInvariant();
        var stores = new PostgresQuotaStore[Hosts];
        var sinks = new PostgresAuditSink[Hosts];
        var gates = new QuotaGate[Hosts];
        for (int h = 0; h < Hosts; h++)
        {
            stores[h] = await TestSupport.OpenStoreAsync(_db, o =>
            {
                o.FailureMode = mode;
                o.ExpectedHosts = Hosts;
                o.TimeProvider = time;
            });
            sinks[h] = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions
            {
                ConnectionString = _db,
                RetryDelay = TimeSpan.FromMilliseconds(20),
                MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            });
            gates[h] = new QuotaGate(TestSupport.Policy(Capacity, refill: 400), new QuotaGateOptions { Store = stores[h], AuditSink = sinks[h] });
        }

        // Phases: 0 up, 1 stopping, 2 stopped, 3 starting, 4 started again. Workers pause in a phase once it has
        // seen its share of calls (failure-mode decisions take microseconds), until the test moves on.
        int phase = 0;
        int[] caps = [2_000, 2_000, 600, 2_000, int.MaxValue];
        var counts = new int[5];
        var phaseEnded = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var decisions = new ConcurrentQueue<(int Started, int Ended, QuotaDecision Decision)>();
        int fromServerAfterRestart = 0;
        var enoughUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enoughDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var tool = new QuotaTool("search_kb", "search");
        Task[] workers = gates.SelectMany((gate, h) => Enumerable.Range(0, WorkersPerHost).Select(w => Task.Run(async () =>
        {
            var identity = new AgentIdentity(tenant, $"worker-{h}-{w}");
            while (!stop.IsCancellationRequested)
            {
                int started = Volatile.Read(ref phase);
                if (Volatile.Read(ref counts[started]) >= caps[started])
                {
                    await phaseEnded[started].Task.WaitAsync(Bounded);
                    continue;
                }

                // Failure-mode decisions complete synchronously: yield, so a tight loop never starves the probe's continuation.
                await Task.Yield();
                QuotaDecision decision = await gate.AcquireAsync(new QuotaRequest(identity, tool, 1));
                decisions.Enqueue((started, Volatile.Read(ref phase), decision));
                int n = Interlocked.Increment(ref counts[started]);
                if (started == 0 && n >= 150)
                {
                    enoughUp.TrySetResult();
                }
                else if (started == 2 && n >= caps[2])
                {
                    enoughDown.TrySetResult();
                }
                else if (started == 4 && decision.Detail is null && Interlocked.Increment(ref fromServerAfterRestart) >= 50)
                {
                    recovered.TrySetResult();
                }
            }
        }))).ToArray();

        void MoveTo(int next)
        {
            int previous = Volatile.Read(ref phase);
            Volatile.Write(ref phase, next);
            phaseEnded[previous].TrySetResult();
        }

        try
        {
            await enoughUp.Task.WaitAsync(Bounded);
            MoveTo(1);
            await Cluster.StopServerAsync();
            MoveTo(2);
            await enoughDown.Task.WaitAsync(Bounded);
            MoveTo(3);
            await Cluster.StartServerAsync();
            MoveTo(4);
            time.Advance(TimeSpan.FromSeconds(1)); // the retry interval: the next request tries the server again
            await recovered.Task.WaitAsync(Bounded);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (TaskCompletionSource ended in phaseEnded)
            {
                ended.TrySetResult();
            }

            await Task.WhenAll(workers).WaitAsync(Bounded); // nothing crashed: every call returned a decision
        }

        // Calls that began and ended while the server was fully stopped.
        var down = decisions.Where(d => d.Started == 2 && d.Ended == 2).Select(d => d.Decision).ToList();
        int fallbackAdmissions = decisions.Count(d => d.Decision.Detail?.StartsWith("admitted by the local fallback", StringComparison.Ordinal) == true);
        output.WriteLine($"{mode}: calls by phase {string.Join(", ", counts)}; {down.Count} while stopped, {down.Count(d => d.IsAdmitted)} of them admitted; " +
            $"{fallbackAdmissions} fallback admissions in all");
        Assert.True(down.Count >= caps[2] - (Hosts * WorkersPerHost));
        switch (mode)
        {
            case StoreFailureMode.FailClosed:
                Assert.All(down, d =>
                {
                    Assert.False(d.IsAdmitted);
                    Assert.Equal(QuotaReason.StoreUnavailable, d.Reason);
                    Assert.StartsWith("quota store unavailable (", d.Detail);
                });
                break;

            case StoreFailureMode.FailOpen:
                Assert.All(down, d =>
                {
                    Assert.True(d.IsAdmitted);
                    Assert.StartsWith("admitted fail-open: quota store unavailable (", d.Detail);
                });
                break;

            case StoreFailureMode.LocalFallback:
                // Each host decides from a bucket of capacity / 2 (and refill / 2, by its own clock, which moved
                // 1 s in all): never more than that, however many calls were made.
                Assert.All(down, d => Assert.StartsWith(d.IsAdmitted
                    ? "admitted by the local fallback bucket (1/2 of the shared budget): quota store unavailable ("
                    : "refused by the local fallback bucket (1/2 of the shared budget): quota store unavailable (", d.Detail));
                Assert.All(down.Where(d => !d.IsAdmitted), d => Assert.Equal(QuotaReason.BucketExhausted, d.Reason));
                Assert.InRange(fallbackAdmissions, 1, Hosts * ((Capacity / Hosts) + (400 / Hosts)));
                Assert.InRange(down.Count(d => d.IsAdmitted), 0, Capacity);
                break;
        }

        Assert.All(stores, s => Assert.True(s.IsAvailable));

        // What the failure mode admitted was charged to the shared ledger when the server came back.
        foreach (PostgresQuotaStore store in stores)
        {
            await store.ReturnLeasesAsync();
            Assert.Equal(0, store.Statistics.PendingCorrections);
            Assert.Equal(0, store.Statistics.LostCorrections);
        }

        int admitted = decisions.Count(d => d.Decision.IsAdmitted);
        // The ledger keeps UTC days by the database clock; a run across midnight splits the spend between two days
        // (CI failed here at 00:00 UTC with Today = 0), so the test reads its tenant's spend for the month.
        double spent = (await stores[0].GetSpendAsync(tenant)).ThisMonth;
        Assert.InRange(spent, admitted, admitted + (Hosts * WorkersPerHost)); // calls cut off by the stop may be charged

        // Every decision's audit record is in the table: those queued during the outage were retried, none dropped.
        foreach (QuotaGate gate in gates)
        {
            await gate.DisposeAsync(); // flushes its sink
        }

        foreach (PostgresAuditSink sink in sinks)
        {
            Assert.Equal(0, sink.DroppedCount);
            await sink.DisposeAsync();
        }

        Assert.Equal(decisions.Count, await PostgresCluster.ScalarAsync<long>(_db, $"SELECT count(*) FROM agentquotas.audit WHERE tenant = '{tenant}'"));
        long failOpenRows = await PostgresCluster.ScalarAsync<long>(_db, $"SELECT count(*) FROM agentquotas.audit WHERE tenant = '{tenant}' AND detail LIKE 'admitted fail-open%'");
        Assert.Equal(decisions.Count(d => d.Decision.Detail?.StartsWith("admitted fail-open", StringComparison.Ordinal) == true), failOpenRows);
        foreach (PostgresQuotaStore store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ledger_totals_and_buckets_survive_a_restart_and_corrections_made_meanwhile_are_replayed()
    {
        var limits = new BucketLimits(capacity: 1000, refillPerSecond: 0.001);
        var key = new BucketKey("durable", "search");
        var time = TestTime.Create();
        var events = new ConcurrentQueue<StoreAvailabilityChangedArguments>();
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o =>
        {
            o.TimeProvider = time;
            o.OnAvailabilityChanged = args =>
            {
                events.Enqueue(args);
                if (args.IsAvailable)
                {
                    back.TrySetResult();
                }

                return ValueTask.CompletedTask;
            };
        });
        for (int i = 0; i < 10; i++)
        {
            Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 7, maxCostPerDay: 500))).IsAdmitted);
        }

        await store.SettleAsync(key, limits, -5);
        await Cluster.StopServerAsync();

        // While it is down: no exception, the correction waits; a request is refused (fail closed).
        await store.SettleAsync(key, limits, 10);
        store.Settle(key, limits, 2.5);
        QuotaStoreResult refused = await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1));
        Assert.Equal(QuotaStoreOutcome.Unavailable, refused.Outcome);
        Assert.StartsWith("quota store unavailable (", refused.Detail);
        Assert.False(store.IsAvailable);
        Assert.Equal(1, store.Statistics.PendingCorrections);   // summed per bucket
        await Assert.ThrowsAsync<PostgresStoreException>(() => store.GetSpendAsync("durable").AsTask());

        await Cluster.StartServerAsync();

        // A new host (its own pool) sees what was committed before the stop.
        await using (PostgresQuotaStore other = await TestSupport.OpenStoreAsync(_db))
        {
            Assert.Equal(new SpendSnapshot(65, 65), await other.GetSpendAsync("durable"));
            Assert.InRange((await other.PeekAsync(key, limits)).Level, 935, 935.01);
        }

        // The first host reconnects once its retry interval has passed, and replays the waiting correction.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1, maxCostPerDay: 500))).IsAdmitted);
        Assert.True(store.IsAvailable);
        await store.ReturnLeasesAsync();
        Assert.Equal(new SpendSnapshot(78.5, 78.5), await store.GetSpendAsync("durable"));
        await back.Task.WaitAsync(Bounded);
        StoreAvailabilityChangedArguments[] seen = events.ToArray();
        Assert.Equal([false, true], seen.Select(e => e.IsAvailable));
        Assert.NotNull(seen[0].Reason);
        Assert.Equal(StoreFailureMode.FailClosed, seen[0].FailureMode);
        Assert.InRange((await store.PeekAsync(key, limits)).Level, 921.5, 921.51);
    }

    [Fact]
    public async Task Fail_open_admits_calls_that_go_through_the_gates_queue_at_once()
    {
        // Reserved shares send every call through the bucket's queue; the store, failing open, admits without a
        // level (Remaining NaN). The queue used to read that as another class's reserve and re-arm at one tick:
        // a spin of decisions and no admission.
        var time = TestTime.Create();
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o =>
        {
            o.FailureMode = StoreFailureMode.FailOpen;
            o.TimeProvider = time;
        });
        QuotaPolicy policy = QuotaPolicy.Parse("""
            {
              "version": "v1",
              "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } },
              "defaultTier": "standard",
              "classes": { "Critical": { "reservedShare": 0.3 }, "Batch": { "reservedShare": 0.2 } }
            }
            """);
        using var gate = new QuotaGate(policy, new QuotaGateOptions { Store = store, TimeProvider = time });
        var request = new QuotaRequest(new AgentIdentity("fail-open", "u"), new QuotaTool("search_kb", "search"), 1);
        Assert.True((await gate.AcquireAsync(request).AsTask().WaitAsync(Bounded)).IsAdmitted);
        await Cluster.StopServerAsync();

        for (int i = 0; i < 20; i++)
        {
            QuotaDecision decision = await gate.AcquireAsync(request).AsTask().WaitAsync(Bounded);
            Assert.True(decision.IsAdmitted, decision.Detail);
        }

        Assert.False(store.IsAvailable);
        Assert.Equal(0, gate.QueuedCount);
        Assert.InRange(store.Statistics.UnavailableDecisions, 1, 20); // one decision per call at most: no spin
    }

    [Fact]
    public async Task A_quick_restart_costs_at_most_one_refused_request()
    {
        var limits = new BucketLimits(capacity: 1000, refillPerSecond: 1);
        var key = new BucketKey("quick", "search");
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o => o.TimeProvider = TestTime.Create());
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1))).IsAdmitted);
        await Cluster.StopServerAsync();
        await Cluster.StartServerAsync();

        // The pooled connection died with the old server: that request may fail; the next one uses a fresh
        // connection at once, without waiting for the retry interval (the store's clock never moves here).
        QuotaStoreResult first = await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1));
        QuotaStoreResult second = await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1));
        Assert.True(first.IsAdmitted || first.Outcome == QuotaStoreOutcome.Unavailable);
        Assert.True(second.IsAdmitted, second.Detail);
        Assert.True(store.IsAvailable);
    }

    [Fact]
    public async Task Availability_changes_reach_the_callback_one_at_a_time_in_the_order_they_happened()
    {
        var limits = new BucketLimits(capacity: 1000, refillPerSecond: 1);
        var key = new BucketKey("ordered", "search");
        var lostEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseLost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothDelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new ConcurrentQueue<bool>();
        int running = 0, overlapped = 0;
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db, o =>
        {
            o.TimeProvider = TestTime.Create();
            o.OnAvailabilityChanged = async args =>
            {
                if (Interlocked.Increment(ref running) > 1)
                {
                    Interlocked.Increment(ref overlapped);
                }

                entered.Enqueue(args.IsAvailable);
                if (!args.IsAvailable)
                {
                    lostEntered.TrySetResult();
                    await releaseLost.Task; // a slow handler of "lost"
                }

                Interlocked.Decrement(ref running);
                if (entered.Count == 2)
                {
                    bothDelivered.TrySetResult();
                }
            };
        });
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1))).IsAdmitted);

        await Cluster.StopServerAsync();
        Assert.Equal(QuotaStoreOutcome.Unavailable, (await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1))).Outcome);
        await lostEntered.Task.WaitAsync(Bounded);
        await Cluster.StartServerAsync();

        // The server is back (the first failure lets the next request try at once) while "lost" is still
        // being handled: "regained" waits its turn instead of overtaking it.
        QuotaStoreResult back = await store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 1));
        Assert.True(back.IsAdmitted, back.Detail);
        Assert.True(store.IsAvailable);
        await Task.Yield();
        Assert.Equal([false], entered);

        releaseLost.SetResult();
        await bothDelivered.Task.WaitAsync(Bounded);
        Assert.Equal([false, true], entered);
        Assert.Equal(0, overlapped);
    }

    [Fact]
    public async Task Audit_records_accepted_before_and_during_an_outage_are_all_written_after_it()
    {
        await using PostgresAuditSink sink = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions
        {
            ConnectionString = _db,
            BatchSize = 50,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        });
        for (int i = 0; i < 500; i++)
        {
            Assert.True(sink.TryWrite(AuditSinkTests.Record(i, "outage")));
        }

        await Cluster.StopServerAsync();
        for (int i = 500; i < 1000; i++)
        {
            Assert.True(sink.TryWrite(AuditSinkTests.Record(i, "outage"))); // accepted while the server is away
        }

        // The writer fails and retries while the server is stopped (its flush cannot complete meanwhile).
        Task flush = sink.FlushAsync().AsTask();
        Assert.False(flush.IsCompleted);
        await Cluster.StartServerAsync();
        await flush.WaitAsync(Bounded);

        Assert.Equal(0, sink.DroppedCount);
        Assert.True(sink.RetriedBatchCount > 0);
        Assert.Equal(1000, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(DISTINCT principal) FROM agentquotas.audit WHERE tenant = 'outage'"));
        Assert.Equal(1000, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.audit WHERE tenant = 'outage'"));
    }
}
