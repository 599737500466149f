using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQuotas.Audit;

/// <summary>
/// Keeps the most recent audit records in a bounded ring in memory (the gate's default sink). When full
/// it drops per <see cref="AuditFullMode"/> and counts every loss.
/// </summary>
/// <remarks>
/// Writing takes no lock: a writer claims the next sequence number with one atomic increment and owns
/// that slot of the ring while it copies the record in; each slot carries the sequence of the record it
/// holds, so readers (<see cref="Snapshot"/>) copy a record only once it is complete and skip one that
/// was overwritten while they read it. Two writers meet in one slot only when one has fallen a whole
/// ring behind; the older then waits for the newer, or gives way to it.
/// </remarks>
public sealed class InMemoryAuditSink : IQuotaAuditSink
{
    // Slot.Sequence: the sequence of the record in the slot, Empty before any, Writing while a writer owns it.
    private const long Empty = -1;
    private const long Writing = long.MinValue;
    private const string OverwroteOldest = "the ring is full; the oldest record was overwritten";

    private readonly Slot[] _slots;
    private readonly AuditFullMode _fullMode;
    private readonly AuditDropReporter _drops;
    private readonly Lock _clearLock = new(); // orders Clear with Snapshot; writers never take it
    private long _next;                       // sequences claimed so far (never reset)
    private long _start;                      // the first sequence after the last Clear
    private long _overwrittenBeforeClear;

    /// <summary>Creates a sink.</summary>
    /// <param name="capacity">Most records kept; at least 1. Default 10,000.</param>
    /// <param name="fullMode">What to drop when full. Default <see cref="AuditFullMode.DropOldest"/>.</param>
    /// <param name="logger">Where losses are reported.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public InMemoryAuditSink(int capacity = 10_000, AuditFullMode fullMode = AuditFullMode.DropOldest, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new Slot[capacity];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Sequence = Empty;
        }

        _fullMode = fullMode;
        _drops = new AuditDropReporter(nameof(InMemoryAuditSink), logger ?? NullLogger.Instance);
    }

    /// <summary>Most records kept.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Records accepted since the sink was created or last cleared (including any later overwritten).</summary>
    public long WrittenCount
    {
        get
        {
            long claimed = Volatile.Read(ref _next) - Volatile.Read(ref _start);
            return _fullMode == AuditFullMode.DropNewest ? Math.Min(claimed, _slots.Length) : claimed;
        }
    }

    /// <inheritdoc/>
    public long DroppedCount
    {
        get
        {
            if (_fullMode == AuditFullMode.DropOldest)
            {
                // Exact from the sequence numbers; the reporter only sees the totals that were reported.
                return Volatile.Read(ref _overwrittenBeforeClear) + Math.Max(0, Volatile.Read(ref _next) - Volatile.Read(ref _start) - _slots.Length);
            }

            return _drops.Dropped;
        }
    }

    /// <inheritdoc/>
    public bool TryWrite(in QuotaAuditRecord record)
    {
        long sequence = Interlocked.Increment(ref _next) - 1;
        long position = sequence - Volatile.Read(ref _start);
        int capacity = _slots.Length;
        if (position >= capacity)
        {
            if (_fullMode == AuditFullMode.DropNewest)
            {
                _drops.Report(1, "the ring is full; the new record was refused");
                return false;
            }

            // Counted without a shared counter: the losses so far follow from the sequence itself.
            _drops.ReportCounted(Volatile.Read(ref _overwrittenBeforeClear) + position - capacity + 1, OverwroteOldest);
        }

        ref Slot slot = ref _slots[sequence % capacity];
        var spin = default(SpinWait);
        while (true)
        {
            long held = Volatile.Read(ref slot.Sequence);
            if (held == Writing)
            {
                spin.SpinOnce(); // a writer a whole ring ahead or behind is copying into this slot
                continue;
            }

            if (held > sequence)
            {
                return true; // a newer record already took the slot: this one is older than the ring keeps
            }

            if (Interlocked.CompareExchange(ref slot.Sequence, Writing, held) == held)
            {
                break;
            }
        }

        slot.Record = record;
        Volatile.Write(ref slot.Sequence, sequence);
        return true;
    }

    /// <summary>The records held now, oldest first.</summary>
    /// <remarks>
    /// Waits for records whose writers are still copying them in. Under concurrent writes a record
    /// overwritten while the snapshot reads it is left out.
    /// </remarks>
    public IReadOnlyList<QuotaAuditRecord> Snapshot()
    {
        lock (_clearLock)
        {
            long end = Volatile.Read(ref _next);
            long start = Volatile.Read(ref _start);
            int capacity = _slots.Length;
            long first = _fullMode == AuditFullMode.DropOldest ? Math.Max(start, end - capacity) : start;
            long last = Math.Min(end, first + capacity);
            var result = new List<QuotaAuditRecord>((int)(last - first));
            for (long sequence = first; sequence < last; sequence++)
            {
                if (TryRead(ref _slots[sequence % capacity], sequence, out QuotaAuditRecord record))
                {
                    result.Add(record);
                }
            }

            return result;
        }
    }

    /// <summary>Removes every record held (<see cref="DroppedCount"/> keeps counting; <see cref="WrittenCount"/> starts again).</summary>
    public void Clear()
    {
        lock (_clearLock)
        {
            long end = Volatile.Read(ref _next);
            long start = Volatile.Read(ref _start);
            if (_fullMode == AuditFullMode.DropOldest)
            {
                Interlocked.Add(ref _overwrittenBeforeClear, Math.Max(0, end - start - _slots.Length));
            }

            Volatile.Write(ref _start, end);

            // Release the records' strings. A slot a writer owns right now is left to it: its sequence is
            // below the new start (or it belongs after the clear), so readers treat it correctly either way.
            for (int i = 0; i < _slots.Length; i++)
            {
                ref Slot slot = ref _slots[i];
                long held = Volatile.Read(ref slot.Sequence);
                if (held != Writing && held < end && Interlocked.CompareExchange(ref slot.Sequence, Writing, held) == held)
                {
                    slot.Record = default;
                    Volatile.Write(ref slot.Sequence, held);
                }
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    // Copies the record of sequence out of its slot once its writer has finished; false when a newer
    // record has taken (or is taking) the slot.
    private static bool TryRead(ref Slot slot, long sequence, out QuotaAuditRecord record)
    {
        var spin = default(SpinWait);
        while (true)
        {
            long before = Volatile.Read(ref slot.Sequence);
            if (before == Writing || before < sequence)
            {
                spin.SpinOnce(); // claimed, still being copied in
                continue;
            }

            if (before > sequence)
            {
                record = default;
                return false;
            }

            record = slot.Record;
            Interlocked.MemoryBarrier(); // the copy completes before the sequence is read again
            if (Volatile.Read(ref slot.Sequence) == sequence)
            {
                return true;
            }
        }
    }

    private struct Slot
    {
        public long Sequence;
        public QuotaAuditRecord Record;
    }
}
