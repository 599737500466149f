using AgentQuotas.Audit;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Testing;
using Npgsql;

namespace AgentQuotas.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class AuditSinkTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("audit");

    public Task DisposeAsync() => Task.CompletedTask;

    internal static QuotaAuditRecord Record(int i, string tenant = "acme") => new()
    {
        Timestamp = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.FromHours(2)).AddMilliseconds(i),
        Tenant = tenant,
        Principal = "user-" + i,
        Workflow = i % 2 == 0 ? "support" : null,
        RunId = "run-" + (i / 10),
        WorkloadClass = WorkloadClass.High,
        Tool = "search_kb",
        Category = "search",
        PlannedCost = 20,
        ActualCost = i % 3 == 0 ? 17.5 : null,
        Decision = AuditDecision.Denied,
        Reason = QuotaReason.BucketExhausted,
        Mode = DegradationMode.DraftOnly,
        QueueWait = TimeSpan.FromMilliseconds(12.5),
        PolicyVersion = "2026-11-21.1",
        PolicyHash = i % 4 == 3 ? null : "5f3c0e9d2b7a41c8e6f0d19a3b5c7e2f40a8b6c1d3e5f7092a4c6e8b0d2f4a6" + (i % 4), // null: a record from before the column
        Detail = "record " + i,
    };

    [Fact]
    public async Task Records_are_written_in_batches_with_every_field()
    {
        await using PostgresAuditSink sink = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = _db, BatchSize = 100, HostName = "host-a" });
        for (int i = 0; i < 1234; i++)
        {
            Assert.True(sink.TryWrite(Record(i, "batched")));
        }

        await sink.FlushAsync();
        Assert.Equal(1234, sink.WrittenCount);
        Assert.Equal(0, sink.DroppedCount);
        Assert.Equal(0, sink.PendingCount);
        Assert.Equal(1234, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.audit WHERE tenant = 'batched'"));

        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT recorded_at, principal, workflow, run_id, workload_class, tool, category, planned_cost, actual_cost,
                   decision, reason, mode, queue_wait_ms, policy_version, detail, host
              FROM agentquotas.audit WHERE tenant = 'batched' AND principal IN ('user-3', 'user-4') ORDER BY principal
            """, connection);
        await using NpgsqlDataReader row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal(new DateTime(2026, 11, 21, 7, 0, 0, 3, DateTimeKind.Utc), row.GetDateTime(0));
        Assert.Equal("user-3", row.GetString(1));
        Assert.True(row.IsDBNull(2));
        Assert.Equal("run-0", row.GetString(3));
        Assert.Equal("High", row.GetString(4));
        Assert.Equal("search_kb", row.GetString(5));
        Assert.Equal("search", row.GetString(6));
        Assert.Equal(20, row.GetDouble(7));
        Assert.Equal(17.5, row.GetDouble(8));
        Assert.Equal("Denied", row.GetString(9));
        Assert.Equal("BucketExhausted", row.GetString(10));
        Assert.Equal("DraftOnly", row.GetString(11));
        Assert.Equal(12.5, row.GetDouble(12));
        Assert.Equal("2026-11-21.1", row.GetString(13));
        Assert.Equal("record 3", row.GetString(14));
        Assert.Equal("host-a", row.GetString(15));
        Assert.True(await row.ReadAsync());
        Assert.Equal("support", row.GetString(2));
        Assert.True(row.IsDBNull(8));
    }

    [Fact]
    public async Task A_batch_the_server_keeps_rejecting_is_retried_then_dropped_and_counted()
    {
        await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = _db }).ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        await PostgresCluster.ExecuteAsync(_db, """
            CREATE ROLE auditor LOGIN;
            GRANT USAGE ON SCHEMA agentquotas TO auditor;
            GRANT INSERT ON agentquotas.audit TO auditor;
            GRANT SELECT ON agentquotas.schema_migrations TO auditor;
            """);
        string asAuditor = new NpgsqlConnectionStringBuilder(_db) { Username = "auditor" }.ConnectionString;
        await using PostgresAuditSink sink = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions
        {
            ConnectionString = asAuditor,
            MaxAttempts = 3,
            RetryDelay = TimeSpan.FromMilliseconds(1),
        });
        await PostgresCluster.ExecuteAsync(_db, "REVOKE INSERT ON agentquotas.audit FROM auditor");

        for (int i = 0; i < 3; i++)
        {
            Assert.True(sink.TryWrite(Record(i, "rejected")));
        }

        await sink.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, sink.DroppedCount);                       // none lost silently
        Assert.Equal(0, sink.WrittenCount);
        Assert.True(sink.RetriedBatchCount >= 2 && sink.RetriedBatchCount % 2 == 0, $"{sink.RetriedBatchCount} retries"); // 2 per batch
    }

    [Fact]
    public async Task A_full_queue_refuses_without_blocking_and_disposing_counts_what_could_not_be_written()
    {
        var time = TestTime.Create(); // retry delays never elapse: the writer stays stuck on its first batch
        await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = _db }).ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        await PostgresCluster.ExecuteAsync(_db, """
            CREATE ROLE stuck LOGIN;
            GRANT USAGE ON SCHEMA agentquotas TO stuck;
            GRANT INSERT ON agentquotas.audit TO stuck;
            GRANT SELECT ON agentquotas.schema_migrations TO stuck;
            """);
        PostgresAuditSink sink = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(_db) { Username = "stuck" }.ConnectionString,
            QueueCapacity = 5,
            BatchSize = 2,
            MaxAttempts = 1000,
            TimeProvider = time,
            DisposeTimeout = TimeSpan.Zero,
        });
        await PostgresCluster.ExecuteAsync(_db, "REVOKE INSERT ON agentquotas.audit FROM stuck");

        int accepted = 0, refused = 0;
        for (int i = 0; i < 20; i++)
        {
            if (sink.TryWrite(Record(i, "stuck")))
            {
                accepted++;
            }
            else
            {
                refused++;
            }
        }

        Assert.Equal(20, accepted + refused);
        Assert.InRange(accepted, 5, 7);                           // the queue, plus at most one batch taken out of it
        Assert.Equal(refused, sink.DroppedCount);

        await sink.DisposeAsync();
        Assert.Equal(20, sink.DroppedCount);                      // every record is either written or counted
        Assert.Equal(0, sink.WrittenCount);
        Assert.False(sink.TryWrite(Record(99, "stuck")));
        Assert.Equal(21, sink.DroppedCount);
    }

    [Fact]
    public async Task A_gate_on_the_postgres_store_and_sink_records_every_decision()
    {
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db);
        await using PostgresAuditSink sink = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = _db });
        int decisions = 0;
        await using (var gate = new QuotaGate(TestSupport.Policy(capacity: 10, refill: 0.01), new QuotaGateOptions { Store = store, AuditSink = sink, RequireAudit = true }))
        {
            var identity = new AgentIdentity("gated", "user-1");
            var tool = new QuotaTool("search_kb", "search");
            for (int i = 0; i < 15; i++)
            {
                QuotaDecision decision = await gate.AcquireAsync(new QuotaRequest(identity, tool, 1, WorkloadClass.High, "support"));
                Assert.Equal(i < 10, decision.IsAdmitted);
                decisions++;
            }
        } // disposing the gate flushes the sink

        Assert.Equal(decisions, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.audit WHERE tenant = 'gated'"));
        Assert.Equal(5, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.audit WHERE tenant = 'gated' AND reason = 'BucketExhausted'"));
    }
}
