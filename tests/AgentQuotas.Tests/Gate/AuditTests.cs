using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Gate;

public class AuditTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");

    [Fact]
    public void Every_decision_produces_one_record_with_every_field()
    {
        var time = TestTime.Create();
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 10, refill: 1, version: "2026-11-21.1"), time, o => o.AuditSink = audit);
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High, "support");

        run.BeginIteration();
        QuotaTicket admitted = run.Acquire(Search, 8);
        time.Advance(0.5);
        admitted.Complete(actualCost: 6);
        QuotaTicket failing = run.Acquire(Search, 3);
        failing.Fail(new InvalidOperationException("kb offline"));
        QuotaTicket denied = run.Acquire(Search, 5);
        QuotaDecision unknown = gate.TryAcquire(new QuotaRequest(Acme, new QuotaTool("mail", "email"), 1));

        IReadOnlyList<QuotaAuditRecord> records = audit.Snapshot();
        Assert.Equal(
            [AuditDecision.Admitted, AuditDecision.Admitted, AuditDecision.Completed, AuditDecision.Admitted, AuditDecision.Failed, AuditDecision.Denied, AuditDecision.Denied],
            records.Select(r => r.Decision));

        QuotaAuditRecord iteration = records[0];
        Assert.Equal("(iteration)", iteration.Tool);

        QuotaAuditRecord first = records[1];
        Assert.Equal(time.GetUtcNow().AddSeconds(-0.5), first.Timestamp);
        Assert.Equal("acme", first.Tenant);
        Assert.Equal("user-42", first.Principal);
        Assert.Equal("support", first.Workflow);
        Assert.Equal(run.Id, first.RunId);
        Assert.Equal(WorkloadClass.High, first.WorkloadClass);
        Assert.Equal("search_kb", first.Tool);
        Assert.Equal("search", first.Category);
        Assert.Equal(8, first.PlannedCost);
        Assert.Null(first.ActualCost);
        Assert.Equal(QuotaReason.None, first.Reason);
        Assert.Equal(DegradationMode.Full, first.Mode);
        Assert.Equal(TimeSpan.Zero, first.QueueWait);
        Assert.Equal("2026-11-21.1", first.PolicyVersion);

        Assert.Equal(8, records[2].PlannedCost);
        Assert.Equal(6, records[2].ActualCost);
        Assert.Contains("kb offline", records[4].Detail);
        Assert.Equal(QuotaReason.BucketExhausted, records[5].Reason);
        Assert.Equal(DegradationMode.Rejected, records[5].Mode);
        Assert.Equal(QuotaReason.UnknownCategory, records[6].Reason);
        Assert.Null(records[6].RunId);
        Assert.False(unknown.IsAdmitted);
        Assert.False(denied.IsAdmitted);
    }

    [Theory]
    [InlineData(AuditFullMode.DropOldest, new[] { "t2", "t3", "t4" }, true)]
    [InlineData(AuditFullMode.DropNewest, new[] { "t0", "t1", "t2" }, false)]
    public void A_full_memory_sink_counts_what_it_drops(AuditFullMode mode, string[] kept, bool acceptsWhenFull)
    {
        var sink = new InMemoryAuditSink(capacity: 3, mode);
        bool last = true;
        for (int i = 0; i < 5; i++)
        {
            last = sink.TryWrite(new QuotaAuditRecord { Tenant = "t" + i, Principal = "p", Tool = "x", Category = "c", PolicyVersion = "v" });
        }

        Assert.Equal(kept, sink.Snapshot().Select(r => r.Tenant));
        Assert.Equal(2, sink.DroppedCount);
        Assert.Equal(acceptsWhenFull, last);
    }

    [Fact]
    public void When_audit_is_required_a_refusing_sink_turns_admission_into_denial()
    {
        var time = TestTime.Create();
        var sink = new InMemoryAuditSink(capacity: 1, AuditFullMode.DropNewest);
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 10, refill: 1), time, o =>
        {
            o.AuditSink = sink;
            o.RequireAudit = true;
        });
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 4)).IsAdmitted);

        QuotaDecision refused = gate.TryAcquire(new QuotaRequest(Acme, Search, 4));

        Assert.Equal(QuotaReason.AuditUnavailable, refused.Reason);
        Assert.Equal(6, gate.Store.Peek(new("acme", "search"), gate.Policy.Tiers["standard"].Categories["search"].Limits).Available, 9);
        Assert.True(sink.DroppedCount >= 1);
    }

    [Fact]
    public async Task Json_lines_sink_writes_one_object_per_record()
    {
        string dir = Directory.CreateTempSubdirectory("aq-audit").FullName;
        try
        {
            string path = Path.Combine(dir, "audit.jsonl");
            var time = TestTime.Create();
            await using (var sink = new JsonLinesAuditSink(path))
            {
                await using (QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 10, refill: 1), time, o => o.AuditSink = sink))
                {
                    using AgentRun run = gate.BeginRun(Acme, WorkloadClass.Batch, "nightly");
                    run.Acquire(Search, 4).Complete(actualCost: 3.5);
                    run.Acquire(Search, 20);
                }

                Assert.Equal(3, sink.WrittenCount);   // the gate flushed on dispose
            }

            string[] lines = File.ReadAllLines(path);
            Assert.Equal(3, lines.Length);
            using JsonDocument admitted = JsonDocument.Parse(lines[0]);
            Assert.Equal("acme", admitted.RootElement.GetProperty("tenant").GetString());
            Assert.Equal("Batch", admitted.RootElement.GetProperty("workloadClass").GetString());
            Assert.Equal("Admitted", admitted.RootElement.GetProperty("decision").GetString());
            Assert.Equal("nightly", admitted.RootElement.GetProperty("workflow").GetString());
            using JsonDocument completed = JsonDocument.Parse(lines[1]);
            Assert.Equal(3.5, completed.RootElement.GetProperty("actualCost").GetDouble());
            using JsonDocument denied = JsonDocument.Parse(lines[2]);
            Assert.Equal("CostExceedsCapacity", denied.RootElement.GetProperty("reason").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Json_lines_sink_under_pressure_writes_or_counts_every_record()
    {
        string dir = Directory.CreateTempSubdirectory("aq-audit").FullName;
        try
        {
            string path = Path.Combine(dir, "audit.jsonl");
            var sink = new JsonLinesAuditSink(path, new JsonLinesAuditSinkOptions { QueueCapacity = 8 });
            const int Records = 20_000;
            int accepted = 0;
            Parallel.For(0, Records, i =>
            {
                if (sink.TryWrite(new QuotaAuditRecord { Tenant = "t" + i, Principal = "p", Tool = "x", Category = "c", PolicyVersion = "v" }))
                {
                    Interlocked.Increment(ref accepted);
                }
            });
            await sink.DisposeAsync();

            Assert.Equal(Records, sink.WrittenCount + sink.DroppedCount);
            Assert.Equal(accepted, sink.WrittenCount);
            Assert.Equal(sink.WrittenCount, File.ReadAllLines(path).Length);
            Assert.False(sink.TryWrite(new QuotaAuditRecord { Tenant = "late", Principal = "p", Tool = "x", Category = "c", PolicyVersion = "v" }));
            Assert.Equal(Records + 1, sink.WrittenCount + sink.DroppedCount);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Flush_waits_until_accepted_records_are_on_disk()
    {
        string dir = Directory.CreateTempSubdirectory("aq-audit").FullName;
        try
        {
            string path = Path.Combine(dir, "audit.jsonl");
            await using var sink = new JsonLinesAuditSink(path);
            for (int i = 0; i < 100; i++)
            {
                Assert.True(sink.TryWrite(new QuotaAuditRecord { Tenant = "t", Principal = "p", Tool = "x", Category = "c", PolicyVersion = "v" }));
            }

            await sink.FlushAsync();
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            Assert.Equal(100, reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
