using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQuotas.Audit;

/// <summary>
/// Keeps the most recent audit records in bounded rings in memory (the gate's default sink). When a ring is
/// full it drops per <see cref="AuditFullMode"/> and counts every loss exactly.
/// </summary>
/// <remarks>
/// <para>
/// Writing takes no lock: a writer claims the next sequence number of its ring with one atomic increment and
/// owns that slot while it copies the record in; readers (<see cref="Snapshot"/>) copy a record only once it is
/// complete and skip one that was overwritten while they read it.
/// </para>
/// <para>
/// With more than one stripe (<see cref="Stripes"/>), each stripe is a ring of its own of <see cref="Capacity"/>
/// records and a writer uses the stripe of the processor it runs on, so writers on different cores touch no
/// shared counter or cache line (one shared ring held two threads to 1.19x the throughput of one). Losses are
/// counted per stripe and summed, so they stay exact; <see cref="Snapshot"/> merges the stripes by
/// <see cref="QuotaAuditRecord.Timestamp"/> (records of equal time in stripe order, each stripe's in write order).
/// </para>
/// </remarks>
public sealed class InMemoryAuditSink : IQuotaAuditSink
{
    private const string OverwroteOldest = "the ring is full; the oldest record was overwritten";
    private const int StripeBits = 6; // up to 64 stripes
    private const long StripeMask = (1 << StripeBits) - 1;

    private readonly AuditRing[] _rings;
    private readonly int _mask;
    private readonly AuditFullMode _fullMode;
    private readonly AuditDropReporter _drops;
    private readonly Lock _clearLock = new(); // orders Clear with Snapshot; writers never take it

    /// <summary>Creates a sink with one ring: records come back in exactly the order they were written.</summary>
    /// <param name="capacity">Most records kept; at least 1. Default 10,000.</param>
    /// <param name="fullMode">What to drop when full. Default <see cref="AuditFullMode.DropOldest"/>.</param>
    /// <param name="logger">Where losses are reported.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public InMemoryAuditSink(int capacity = 10_000, AuditFullMode fullMode = AuditFullMode.DropOldest, ILogger? logger = null)
        : this(capacity, fullMode, stripes: 1, logger)
    {
    }

    /// <summary>Creates a sink with <paramref name="stripes"/> rings, one per group of processors.</summary>
    /// <param name="capacity">Most records kept per stripe; at least 1.</param>
    /// <param name="fullMode">What to drop when a stripe is full.</param>
    /// <param name="stripes">Rings: a power of two from 1 to 64 (<see cref="DefaultStripes"/> suits this machine).</param>
    /// <param name="logger">Where losses are reported.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1, or <paramref name="stripes"/> is not a power of two from 1 to 64.</exception>
    public InMemoryAuditSink(int capacity, AuditFullMode fullMode, int stripes, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (stripes is < 1 or > 64 || (stripes & (stripes - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stripes), stripes, "The number of stripes must be a power of two from 1 to 64.");
        }

        _rings = new AuditRing[stripes];
        for (int i = 0; i < stripes; i++)
        {
            _rings[i] = new AuditRing(capacity);
        }

        _mask = stripes - 1;
        _fullMode = fullMode;
        _drops = new AuditDropReporter(nameof(InMemoryAuditSink), logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// The stripes of the gate's default sink: the processor count rounded up to a power of two, at most 4 (so the
    /// default sink holds at most 40,000 records, about 4 MB).
    /// </summary>
    public static int DefaultStripes => Math.Min(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    /// <summary>
    /// Whether the end of an admitted call is written into its admission's record (<see cref="QuotaAuditRecord.Outcome"/>)
    /// instead of a completion or failure record of its own, while that record is still held: one record per call, and
    /// no second record to build and copy in. Default <see langword="false"/>; the gate's default sink sets it.
    /// </summary>
    /// <remarks>
    /// An end whose admission has left the ring (overwritten or cleared) is written as a record of its own, so readers
    /// see both shapes (<see cref="QuotaAuditRecord.Ended"/>). An admission without an outcome is a call still running or
    /// one that never ended. Losses stay exact: an admission and the end written into it are one record.
    /// </remarks>
    public bool EndsInPlace { get; init; }

    /// <summary>Most records kept per stripe.</summary>
    public int Capacity => _rings[0].Capacity;

    /// <summary>The number of rings records are spread over (1 unless given).</summary>
    public int Stripes => _rings.Length;

    /// <summary>Records accepted since the sink was created or last cleared (including any later overwritten).</summary>
    public long WrittenCount
    {
        get
        {
            long written = 0;
            foreach (AuditRing ring in _rings)
            {
                long claimed = ring.Claimed;
                written += _fullMode == AuditFullMode.DropNewest ? Math.Min(claimed, ring.Capacity) : claimed;
            }

            return written;
        }
    }

    /// <inheritdoc/>
    public long DroppedCount
    {
        get
        {
            if (_fullMode != AuditFullMode.DropOldest)
            {
                return _drops.Dropped;
            }

            // Exact from the sequence numbers of each ring; the reporter only sees the totals that were reported.
            long dropped = 0;
            foreach (AuditRing ring in _rings)
            {
                dropped += ring.Overwritten;
            }

            return dropped;
        }
    }

    /// <inheritdoc/>
    public bool TryWrite(in QuotaAuditRecord record) => TryWrite(record, out _);

    /// <summary>
    /// Writes a record and returns a handle to it for <see cref="TryEnd"/> (0 when the record was refused). The handle
    /// names the stripe and the record's sequence in it.
    /// </summary>
    internal bool TryWrite(in QuotaAuditRecord record, out long handle)
    {
        int stripe = _rings.Length == 1 ? 0 : Thread.GetCurrentProcessorId() & _mask;
        long lost = _rings[stripe].Write(record, _fullMode == AuditFullMode.DropNewest, out long sequence);
        handle = lost < 0 ? 0 : ((sequence + 1) << StripeBits) | (long)stripe;
        if (lost == 0)
        {
            return true;
        }

        if (lost < 0)
        {
            _drops.Report(1, "the ring is full; the new record was refused");
            return false;
        }

        _drops.ReportCounted(lost, OverwroteOldest);
        return true;
    }

    /// <summary>
    /// Writes the end of an admitted call into its admission's record (<paramref name="handle"/> from
    /// <see cref="TryWrite(in QuotaAuditRecord, out long)"/>); false when that record is no longer held or the handle is
    /// 0, and the caller writes the end as a record of its own.
    /// </summary>
    internal bool TryEnd(long handle, in AuditEnd end) =>
        handle > 0 && _rings[(int)(handle & StripeMask)].TryEnd((handle >> StripeBits) - 1, end);

    /// <summary>The records held now, oldest first.</summary>
    /// <remarks>
    /// Waits for records whose writers are still copying them in. Under concurrent writes a record
    /// overwritten while the snapshot reads it is left out. With several stripes the records are merged by
    /// time; records with the same <see cref="QuotaAuditRecord.Timestamp"/> come in stripe order.
    /// </remarks>
    public IReadOnlyList<QuotaAuditRecord> Snapshot()
    {
        lock (_clearLock)
        {
            bool dropOldest = _fullMode == AuditFullMode.DropOldest;
            if (_rings.Length == 1)
            {
                var single = new List<QuotaAuditRecord>();
                _rings[0].CopyTo(single, dropOldest);
                return single;
            }

            var all = new List<QuotaAuditRecord>();
            var from = new List<(int Start, int Count)>(_rings.Length);
            foreach (AuditRing ring in _rings)
            {
                int start = all.Count;
                ring.CopyTo(all, dropOldest);
                from.Add((start, all.Count - start));
            }

            return Merge(all, from);
        }
    }

    /// <summary>Removes every record held (<see cref="DroppedCount"/> keeps counting; <see cref="WrittenCount"/> starts again).</summary>
    public void Clear()
    {
        lock (_clearLock)
        {
            foreach (AuditRing ring in _rings)
            {
                ring.Clear(_fullMode == AuditFullMode.DropOldest);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    // Merges runs of records, each oldest first, by time; on a tie the earlier run's record comes first.
    private static List<QuotaAuditRecord> Merge(List<QuotaAuditRecord> all, List<(int Start, int Count)> runs)
    {
        var merged = new List<QuotaAuditRecord>(all.Count);
        var next = new int[runs.Count];
        while (merged.Count < all.Count)
        {
            int best = -1;
            for (int r = 0; r < runs.Count; r++)
            {
                if (next[r] < runs[r].Count && (best < 0 || all[runs[r].Start + next[r]].Timestamp < all[runs[best].Start + next[best]].Timestamp))
                {
                    best = r;
                }
            }

            merged.Add(all[runs[best].Start + next[best]]);
            next[best]++;
        }

        return merged;
    }
}
