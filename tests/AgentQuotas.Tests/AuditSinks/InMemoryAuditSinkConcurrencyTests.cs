using AgentQuotas.Audit;

namespace AgentQuotas.Tests.AuditSinks;

// The in-memory audit ring takes no lock: writers claim sequence numbers atomically and own a slot while
// copying; readers copy a slot only when its record is complete. These tests race writers (and readers)
// and check that no record is torn, lost beyond what the ring's size explains, or reordered.
public class InMemoryAuditSinkConcurrencyTests
{
    private const int Writers = 4;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1_000)]
    [InlineData(50_000)]
    public void Concurrent_writers_keep_the_newest_records_intact_and_count_every_overwrite(int capacity)
    {
        const int PerWriter = 20_000;
        var sink = new InMemoryAuditSink(capacity, AuditFullMode.DropOldest);

        RunWriters(sink, PerWriter, accepted: null);

        int total = Writers * PerWriter;
        IReadOnlyList<QuotaAuditRecord> kept = sink.Snapshot();
        Assert.Equal(Math.Min(capacity, total), kept.Count);
        Assert.Equal(total, sink.WrittenCount);
        Assert.Equal(Math.Max(0, total - capacity), sink.DroppedCount);
        AssertIntactAndOrdered(kept);
        Assert.Equal(kept.Count, kept.Distinct().Count());
    }

    [Fact]
    public void Concurrent_writers_into_a_drop_newest_ring_are_accepted_exactly_up_to_its_capacity()
    {
        const int Capacity = 5_000, PerWriter = 5_000;
        var sink = new InMemoryAuditSink(Capacity, AuditFullMode.DropNewest);
        long accepted = 0;

        RunWriters(sink, PerWriter, () => Interlocked.Increment(ref accepted));

        IReadOnlyList<QuotaAuditRecord> kept = sink.Snapshot();
        Assert.Equal(Capacity, accepted);
        Assert.Equal(Capacity, kept.Count);
        Assert.Equal(Capacity, sink.WrittenCount);
        Assert.Equal((Writers * PerWriter) - Capacity, sink.DroppedCount);
        AssertIntactAndOrdered(kept);
    }

    [Fact]
    public void Snapshots_taken_while_writers_run_never_see_a_torn_or_reordered_record()
    {
        const int Capacity = 64, PerWriter = 50_000;
        var sink = new InMemoryAuditSink(Capacity, AuditFullMode.DropOldest);
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
                    Assert.True(seen.Count <= Capacity);
                    AssertIntactAndOrdered(seen);
                    Interlocked.Increment(ref snapshots);
                }
            }
            catch (Exception e)
            {
                readerFailure = e;
            }
        });

        reader.Start();
        RunWriters(sink, PerWriter, accepted: null);
        done.Cancel();
        reader.Join();

        Assert.Null(readerFailure);
        Assert.True(Volatile.Read(ref snapshots) > 0);
        Assert.Equal(Capacity, sink.Snapshot().Count);
    }

    [Fact]
    public void Clear_empties_the_ring_keeps_the_loss_count_and_writing_resumes()
    {
        var sink = new InMemoryAuditSink(capacity: 2, AuditFullMode.DropOldest);
        for (int i = 0; i < 5; i++)
        {
            sink.TryWrite(Record(0, i));
        }

        sink.Clear();
        Assert.Empty(sink.Snapshot());
        Assert.Equal(0, sink.WrittenCount);
        Assert.Equal(3, sink.DroppedCount);

        sink.TryWrite(Record(1, 0));
        sink.TryWrite(Record(1, 1));
        sink.TryWrite(Record(1, 2));
        Assert.Equal(["w1:1", "w1:2"], sink.Snapshot().Select(r => r.Tenant + ":" + r.Tool));
        Assert.Equal(4, sink.DroppedCount);
    }

    // Each writer writes records numbered 0, 1, 2, ... whose fields all encode (writer, number), so a
    // record mixing two writes is detected.
    private static void RunWriters(InMemoryAuditSink sink, int perWriter, Action? accepted)
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
                    if (sink.TryWrite(Record(w, i)))
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

    private static QuotaAuditRecord Record(int writer, int number) => new()
    {
        Tenant = "w" + writer,
        Principal = "p" + writer,
        Tool = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Category = "c" + (number % 7),
        PlannedCost = (writer * 1_000_000) + number,
        ActualCost = number,
        PolicyVersion = "v" + number,
        QueueWait = TimeSpan.FromTicks(number),
        Timestamp = DateTimeOffset.UnixEpoch.AddTicks((writer * 1_000_000L) + number),
    };

    private static void AssertIntactAndOrdered(IReadOnlyList<QuotaAuditRecord> records)
    {
        var last = new Dictionary<string, int>();
        foreach (QuotaAuditRecord r in records)
        {
            int writer = int.Parse(r.Tenant.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            int number = int.Parse(r.Tool, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal("p" + writer, r.Principal);
            Assert.Equal("c" + (number % 7), r.Category);
            Assert.Equal((writer * 1_000_000) + number, r.PlannedCost);
            Assert.Equal(number, r.ActualCost);
            Assert.Equal("v" + number, r.PolicyVersion);
            Assert.Equal(number, r.QueueWait.Ticks);
            Assert.Equal((writer * 1_000_000L) + number, (r.Timestamp - DateTimeOffset.UnixEpoch).Ticks);
            if (last.TryGetValue(r.Tenant, out int previous))
            {
                Assert.True(number > previous, $"writer {writer}: record {number} after {previous}");
            }

            last[r.Tenant] = number;
        }
    }
}
