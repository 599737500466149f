using System.Collections.Concurrent;
using AgentQuotas.Audit;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.AuditSinks;

// Issue 18 item 1: one audit record per call. A sink with EndsInPlace (the gate's default) writes the end of an admitted
// call into its admission's record while the ring still holds it; when it does not (overwritten, cleared), the end is a
// record of its own, so every end is kept once, in one of the two shapes, and losses stay exact.
public class EndInPlaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    private static QuotaAuditRecord Admission(string tool, long at = 0) => new()
    {
        Timestamp = Start.AddTicks(at), Tenant = "acme", Principal = "u", Tool = tool, Category = "search", PlannedCost = 1,
        Decision = AuditDecision.Admitted, PolicyVersion = "v1",
    };

    private static AuditEnd EndOf(string tool, AuditDecision outcome = AuditDecision.Completed) => new(Start.AddSeconds(1), outcome, 3, tool);

    [Fact]
    public void An_end_written_in_place_shows_on_the_admission_record_and_is_written_once()
    {
        var sink = new InMemoryAuditSink(capacity: 8) { EndsInPlace = true };
        Assert.True(sink.TryWrite(Admission("a"), out long a));
        Assert.True(sink.TryWrite(Admission("b"), out long b));

        Assert.True(sink.TryEnd(a, EndOf("a")));
        Assert.False(sink.TryEnd(a, EndOf("a", AuditDecision.Failed))); // a call ends once

        IReadOnlyList<QuotaAuditRecord> records = sink.Snapshot();
        Assert.Equal(2, records.Count);
        QuotaAuditRecord ended = records[0];
        Assert.Equal(("a", AuditDecision.Admitted, AuditDecision.Completed, Start.AddSeconds(1), 3d, "a"),
            (ended.Tool, ended.Decision, ended.Outcome, ended.EndedAt, ended.ActualCost, ended.OutcomeDetail));
        Assert.Equal(AuditDecision.Completed, ended.Ended);
        Assert.Equal((AuditDecision?)null, records[1].Outcome); // b is still running
        Assert.Null(records[1].Ended);
        Assert.Equal(2, sink.WrittenCount);
        Assert.NotEqual(0, b);
    }

    [Fact]
    public void An_end_whose_admission_was_overwritten_or_cleared_is_refused_so_the_caller_writes_a_record()
    {
        var sink = new InMemoryAuditSink(capacity: 1) { EndsInPlace = true };
        Assert.True(sink.TryWrite(Admission("a"), out long a));
        Assert.True(sink.TryWrite(Admission("b"), out long b)); // overwrites a

        Assert.False(sink.TryEnd(a, EndOf("a")));
        Assert.Equal("b", Assert.Single(sink.Snapshot()).Tool);
        Assert.Null(sink.Snapshot()[0].Outcome); // a's end did not land on b

        sink.Clear();
        Assert.False(sink.TryEnd(b, EndOf("b")));
        Assert.Empty(sink.Snapshot());
        Assert.False(sink.TryEnd(0, EndOf("none")));
    }

    [Fact]
    public void A_refused_admission_has_no_handle()
    {
        var sink = new InMemoryAuditSink(capacity: 1, AuditFullMode.DropNewest) { EndsInPlace = true };
        Assert.True(sink.TryWrite(Admission("a"), out _));
        Assert.False(sink.TryWrite(Admission("b"), out long refused));
        Assert.Equal(0, refused);
    }

    [Fact]
    public void The_default_sink_of_a_gate_keeps_one_record_per_ended_call()
    {
        var time = new FakeTimeProvider(Start);
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 100, refill: 1), time);
        var sink = Assert.IsType<InMemoryAuditSink>(gate.AuditSink);
        Assert.True(sink.EndsInPlace);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));

        QuotaTicket completed = run.Acquire(new QuotaTool("done", "search"), 2);
        QuotaTicket failed = run.Acquire(new QuotaTool("broke", "search"), 1);
        QuotaTicket running = run.Acquire(new QuotaTool("running", "search"), 1);
        time.Advance(TimeSpan.FromSeconds(5));
        completed.Complete(actualCost: 4);
        failed.Fail(new InvalidOperationException("boom"));

        IReadOnlyList<QuotaAuditRecord> records = sink.Snapshot();
        Assert.Equal(["done", "broke", "running"], records.Select(r => r.Tool));
        Assert.All(records, r => Assert.Equal(AuditDecision.Admitted, r.Decision));
        Assert.Equal((AuditDecision.Completed, Start.AddSeconds(5), 4d, (string?)null),
            (records[0].Outcome!.Value, records[0].EndedAt!.Value, records[0].ActualCost!.Value, records[0].OutcomeDetail));
        Assert.Equal((AuditDecision.Failed, "InvalidOperationException: boom"), (records[1].Outcome!.Value, records[1].OutcomeDetail));
        Assert.Null(records[2].Outcome); // evidence of a call that never ended: its admission
        Assert.Equal(Start, records[0].Timestamp); // the admission's time is kept
        Assert.True(running.IsAdmitted);
    }

    [Fact]
    public void A_gate_writes_the_end_as_a_record_of_its_own_when_the_admission_has_left_the_ring()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new InMemoryAuditSink(capacity: 2) { EndsInPlace = true };
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 100, refill: 1), time, o => o.AuditSink = sink);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));

        QuotaTicket first = run.Acquire(new QuotaTool("first", "search"), 1);
        QuotaTicket second = run.Acquire(new QuotaTool("second", "search"), 1);
        QuotaTicket third = run.Acquire(new QuotaTool("third", "search"), 1); // overwrites first's admission
        first.Complete();
        third.Complete();

        IReadOnlyList<QuotaAuditRecord> records = sink.Snapshot();
        Assert.Equal([("third", AuditDecision.Admitted, (AuditDecision?)AuditDecision.Completed), ("first", AuditDecision.Completed, null)],
            records.Select(r => (r.Tool, r.Decision, r.Outcome)));
        Assert.Equal([AuditDecision.Completed, AuditDecision.Completed], records.Select(r => r.Ended!.Value));
        Assert.Equal(4, sink.WrittenCount);
        Assert.Equal(2, sink.DroppedCount); // first's and second's admissions
        Assert.True(second.IsAdmitted);
    }

    [Fact]
    public void A_sink_passed_to_the_gate_without_EndsInPlace_keeps_the_two_record_shape()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 100, refill: 1), time, o => o.AuditSink = sink);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));

        run.Acquire(new QuotaTool("t", "search"), 1).Complete();

        Assert.Equal([AuditDecision.Admitted, AuditDecision.Completed], sink.Snapshot().Select(r => r.Decision));
        Assert.All(sink.Snapshot(), r => Assert.Null(r.Outcome));
    }

    // Ends race the ring's wrap-around: each writer ends the admission it wrote a few writes ago, on a ring so small that
    // other writers overwrite it meanwhile, while a reader takes snapshots. An end lands on its own admission or is
    // refused (then written as a record of its own), never on another record, never torn, and never both.
    [Theory]
    [InlineData(1, 4)]
    [InlineData(1, 64)]
    [InlineData(4, 4)]
    [InlineData(4, 64)]
    public async Task Ends_racing_the_wrap_around_land_on_their_own_admission_or_become_records_of_their_own(int stripes, int capacity)
    {
        const int Writers = 4, PerWriter = 20_000, Delay = 3;
        var sink = new InMemoryAuditSink(capacity, AuditFullMode.DropOldest, stripes) { EndsInPlace = true };
        var separate = new ConcurrentDictionary<string, byte>();
        var inPlace = new ConcurrentDictionary<string, byte>();
        using var stop = new CancellationTokenSource();
        var torn = new ConcurrentQueue<string>();

        Task reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (QuotaAuditRecord r in sink.Snapshot())
                {
                    CheckIntact(r, torn);
                }
            }
        });

        Task[] writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            var pending = new Queue<(string Tool, long Handle)>();
            for (int i = 0; i < PerWriter + Delay; i++)
            {
                if (i < PerWriter)
                {
                    string tool = $"w{w}-{i}";
                    Assert.True(sink.TryWrite(Admission(tool, i), out long handle));
                    pending.Enqueue((tool, handle));
                }

                if (pending.Count > Delay || (i >= PerWriter && pending.Count > 0))
                {
                    (string tool, long handle) = pending.Dequeue();
                    AuditDecision outcome = i % 2 == 0 ? AuditDecision.Completed : AuditDecision.Failed;
                    if (sink.TryEnd(handle, EndOf(tool, outcome)))
                    {
                        Assert.False(sink.TryEnd(handle, EndOf(tool, outcome)));
                        inPlace[tool] = 0;
                    }
                    else
                    {
                        Assert.True(sink.TryWrite(new QuotaAuditRecord
                        {
                            Timestamp = Start.AddTicks(i), Tenant = "acme", Principal = "u", Tool = tool, Category = "search", PlannedCost = 1,
                            Decision = outcome, PolicyVersion = "v1", Detail = tool,
                        }));
                        separate[tool] = 0;
                    }
                }
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await reader;

        Assert.Empty(torn);
        Assert.Equal(Writers * PerWriter, inPlace.Count + separate.Count);
        Assert.Empty(inPlace.Keys.Intersect(separate.Keys));
        IReadOnlyList<QuotaAuditRecord> kept = sink.Snapshot();
        foreach (QuotaAuditRecord r in kept)
        {
            CheckIntact(r, torn);
            if (r.Outcome is not null)
            {
                Assert.True(inPlace.ContainsKey(r.Tool), r.Tool);
            }
            else if (r.Decision != AuditDecision.Admitted)
            {
                Assert.True(separate.ContainsKey(r.Tool), r.Tool);
            }
        }

        Assert.Empty(torn);
        Assert.Equal((Writers * PerWriter) + separate.Count, sink.WrittenCount);
        Assert.Equal(sink.WrittenCount - kept.Count, sink.DroppedCount); // every record seen or counted lost, an in-place end with its admission
        Assert.Equal(kept.Count, kept.Select(r => (r.Tool, r.Decision)).Distinct().Count());
    }

    // An end written into a record belongs to that record's call (its detail names the tool), with all its fields.
    private static void CheckIntact(in QuotaAuditRecord r, ConcurrentQueue<string> torn)
    {
        bool ok = r.Outcome is null
            ? r.EndedAt is null && r.OutcomeDetail is null
            : r.Decision == AuditDecision.Admitted && r.OutcomeDetail == r.Tool && r.EndedAt == Start.AddSeconds(1) && r.ActualCost == 3;
        if (!ok || r.Tenant != "acme" || r.PolicyVersion != "v1")
        {
            torn.Enqueue($"{r.Tool} {r.Decision} {r.Outcome} {r.OutcomeDetail}");
        }
    }
}
