using System.Globalization;
using AgentQuotas.Audit;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.AuditSinks;

// Issue 18 item 2: the in-memory sink spread over stripes (one ring per group of processors) so writers on
// different cores share no counter. These tests race writers on a striped sink and check that the reader still
// sees every record exactly once, each writer's records in order, and that losses are counted exactly.
public class StripedAuditSinkTests
{
    private const int Writers = 4;

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Every_record_written_by_racing_writers_is_seen_once_in_each_writers_order(int stripes)
    {
        const int PerWriter = 20_000;
        var sink = new InMemoryAuditSink(Writers * PerWriter, AuditFullMode.DropOldest, stripes);
        long clock = 0;

        RunWriters(sink, PerWriter, () => Interlocked.Increment(ref clock), accepted: null);

        IReadOnlyList<QuotaAuditRecord> seen = sink.Snapshot();
        Assert.Equal(Writers * PerWriter, seen.Count);
        Assert.Equal(Writers * PerWriter, sink.WrittenCount);
        Assert.Equal(0, sink.DroppedCount);
        Assert.Equal(seen.Count, seen.Select(r => (r.Tenant, r.Tool)).Distinct().Count());
        AssertIntactAndInWriterOrder(seen);
        for (int w = 0; w < Writers; w++)
        {
            Assert.Equal(PerWriter, seen.Count(r => r.Tenant == "w" + w));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(500)]
    public void Losses_of_a_full_striped_sink_are_counted_exactly(int capacity)
    {
        const int PerWriter = 20_000;
        var sink = new InMemoryAuditSink(capacity, AuditFullMode.DropOldest, stripes: 4);
        long clock = 0;

        RunWriters(sink, PerWriter, () => Interlocked.Increment(ref clock), accepted: null);

        IReadOnlyList<QuotaAuditRecord> kept = sink.Snapshot();
        int total = Writers * PerWriter;
        Assert.Equal(total, sink.WrittenCount);
        Assert.InRange(kept.Count, Math.Min(capacity, total), capacity * 4);
        Assert.Equal(total - kept.Count, sink.DroppedCount); // every record is either seen or counted lost, never both
        Assert.Equal(kept.Count, kept.Select(r => (r.Tenant, r.Tool)).Distinct().Count());
        AssertIntactAndInWriterOrder(kept);
    }

    [Fact]
    public void A_striped_drop_newest_sink_accepts_exactly_what_it_keeps_and_counts_every_refusal()
    {
        const int Capacity = 1_000, PerWriter = 5_000;
        var sink = new InMemoryAuditSink(Capacity, AuditFullMode.DropNewest, stripes: 2);
        long accepted = 0, clock = 0;

        RunWriters(sink, PerWriter, () => Interlocked.Increment(ref clock), () => Interlocked.Increment(ref accepted));

        IReadOnlyList<QuotaAuditRecord> kept = sink.Snapshot();
        Assert.Equal(accepted, kept.Count);
        Assert.Equal(accepted, sink.WrittenCount);
        Assert.InRange(accepted, Capacity, 2 * Capacity);
        Assert.Equal((Writers * PerWriter) - accepted, sink.DroppedCount);
        AssertIntactAndInWriterOrder(kept);
    }

    [Fact]
    public void Snapshots_of_a_striped_sink_taken_while_writers_run_are_intact_and_in_writer_order()
    {
        const int PerWriter = 30_000;
        var sink = new InMemoryAuditSink(256, AuditFullMode.DropOldest, stripes: 4);
        long clock = 0;
        int snapshots = 0;
        using var done = new CancellationTokenSource();
        Exception? readerFailure = null;
        var reader = new Thread(() =>
        {
            try
            {
                while (!done.IsCancellationRequested)
                {
                    IReadOnlyList<QuotaAuditRecord> seen = sink.Snapshot();
                    Assert.True(seen.Count <= 4 * 256);
                    AssertIntactAndInWriterOrder(seen);
                    Interlocked.Increment(ref snapshots);
                }
            }
            catch (Exception e)
            {
                readerFailure = e;
            }
        });

        reader.Start();
        RunWriters(sink, PerWriter, () => Interlocked.Increment(ref clock), accepted: null);
        done.Cancel();
        reader.Join();

        Assert.Null(readerFailure);
        Assert.True(Volatile.Read(ref snapshots) > 0);
        Assert.Equal((Writers * PerWriter) - sink.Snapshot().Count, sink.DroppedCount);
    }

    [Fact]
    public void Records_of_one_thread_come_back_in_write_order_and_clear_keeps_the_loss_count()
    {
        var sink = new InMemoryAuditSink(capacity: 3, AuditFullMode.DropOldest, stripes: 2);
        for (int i = 0; i < 3; i++)
        {
            sink.TryWrite(Record(0, i, i));
        }

        Assert.Equal(["0", "1", "2"], sink.Snapshot().Select(r => r.Tool));
        sink.Clear();
        Assert.Empty(sink.Snapshot());
        Assert.Equal(0, sink.WrittenCount);
        sink.TryWrite(Record(0, 3, 3));
        Assert.Equal(["3"], sink.Snapshot().Select(r => r.Tool));
        Assert.Equal(1, sink.WrittenCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(128)]
    public void A_stripe_count_that_is_not_a_power_of_two_up_to_64_is_refused(int stripes)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryAuditSink(10, AuditFullMode.DropOldest, stripes));
        Assert.Equal("stripes", e.ParamName);
    }

    [Fact]
    public void The_gates_default_sink_is_striped_on_the_system_clock_and_one_ring_on_a_virtual_clock()
    {
        using var system = new QuotaGate(TestPolicies.Simple());
        Assert.Equal(InMemoryAuditSink.DefaultStripes, ((InMemoryAuditSink)system.AuditSink).Stripes);
        Assert.InRange(InMemoryAuditSink.DefaultStripes, 1, 4);

        using var virtualTime = new QuotaGate(TestPolicies.Simple(), new QuotaGateOptions { TimeProvider = TestTime.Create() });
        Assert.Equal(1, ((InMemoryAuditSink)virtualTime.AuditSink).Stripes);
    }

    // Each writer writes records numbered 0, 1, 2, ... stamped from a shared monotonic counter (as decisions are
    // stamped from a monotonic clock), with fields that all encode (writer, number), so a torn record is detected.
    private static void RunWriters(InMemoryAuditSink sink, int perWriter, Func<long> clock, Action? accepted)
    {
        using var start = new Barrier(Writers);
        Exception? failure = null;
        Thread[] threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (int i = 0; i < perWriter; i++)
                {
                    if (sink.TryWrite(Record(w, i, clock())))
                    {
                        accepted?.Invoke();
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })).ToArray();
        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Assert.Null(failure);
    }

    private static QuotaAuditRecord Record(int writer, int number, long time) => new()
    {
        Tenant = "w" + writer,
        Principal = "p" + writer,
        Tool = number.ToString(CultureInfo.InvariantCulture),
        Category = "c" + (number % 7),
        PlannedCost = (writer * 1_000_000) + number,
        PolicyVersion = "v" + number,
        Timestamp = DateTimeOffset.UnixEpoch.AddTicks(time),
    };

    private static void AssertIntactAndInWriterOrder(IReadOnlyList<QuotaAuditRecord> records)
    {
        var last = new Dictionary<string, int>();
        foreach (QuotaAuditRecord r in records)
        {
            int writer = int.Parse(r.Tenant.AsSpan(1), CultureInfo.InvariantCulture);
            int number = int.Parse(r.Tool, CultureInfo.InvariantCulture);
            Assert.Equal("p" + writer, r.Principal);
            Assert.Equal("c" + (number % 7), r.Category);
            Assert.Equal((writer * 1_000_000) + number, r.PlannedCost);
            Assert.Equal("v" + number, r.PolicyVersion);
            if (last.TryGetValue(r.Tenant, out int previous))
            {
                Assert.True(number > previous, $"writer {writer}: record {number} after {previous}");
            }

            last[r.Tenant] = number;
        }
    }
}
