using System.Runtime.InteropServices;

namespace AgentQuotas.Audit;

/// <summary>
/// One bounded ring of audit records, written without a lock: a writer claims the next sequence number with
/// one atomic increment and owns that slot while it copies the record in; each slot carries the sequence of
/// the record it holds, so a reader copies a record only once it is complete and skips one that was
/// overwritten while it read it. Two writers meet in one slot only when one has fallen a whole ring behind;
/// the older then waits for the newer, or gives way to it. <see cref="InMemoryAuditSink"/> keeps one ring
/// per stripe.
/// <para>
/// The end of an admitted call can be written into its admission's slot (<see cref="TryEnd"/>) instead of a record of
/// its own: the writer of the end takes the slot by compare-and-swap from the admission's sequence, as a writer does,
/// and gives it back marked ended, so a reader that copied the slot meanwhile sees the mark change and copies again.
/// A slot is ended at most once (a ticket settles once), so the mark cannot come back to a value a reader saw (no ABA).
/// </para>
/// </summary>
internal sealed class AuditRing
{
    // Slot.Sequence: twice the sequence of the record in the slot, plus one once its call's end is written into it;
    // Empty before any, Writing while a writer owns it. Sequence(held) recovers the record's sequence.
    private const long Empty = -1;
    private const long Writing = long.MinValue;

    private readonly Slot[] _slots;
    private Counters _counters; // padded: the rings of one sink are written by different cores

    public AuditRing(int capacity)
    {
        _slots = new Slot[capacity];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Sequence = Empty;
        }
    }

    public int Capacity => _slots.Length;

    /// <summary>Sequences claimed since the ring was created or cleared.</summary>
    public long Claimed => Volatile.Read(ref _counters.Next) - Volatile.Read(ref _counters.Start);

    /// <summary>Records overwritten (drop-oldest) so far, including those before a <see cref="Clear"/>.</summary>
    public long Overwritten => Volatile.Read(ref _counters.OverwrittenBeforeClear) + Math.Max(0, Claimed - _slots.Length);

    /// <summary>
    /// Writes a record. Returns -1 when the ring is full and <paramref name="dropNewest"/> (nothing written), 0
    /// when written without a loss, and otherwise the ring's total of overwritten records, this write's loss included.
    /// </summary>
    public long Write(in QuotaAuditRecord record, bool dropNewest) => Write(record, dropNewest, out _);

    /// <summary>As <see cref="Write(in QuotaAuditRecord, bool)"/>, with the record's <paramref name="sequence"/> (for <see cref="TryEnd"/>).</summary>
    public long Write(in QuotaAuditRecord record, bool dropNewest, out long sequence)
    {
        sequence = Interlocked.Increment(ref _counters.Next) - 1;
        long position = sequence - Volatile.Read(ref _counters.Start);
        int capacity = _slots.Length;
        long lost = 0;
        if (position >= capacity)
        {
            if (dropNewest)
            {
                return -1; // the sequence stays claimed but empty: WrittenCount caps the count at the capacity

            }

            // Counted without a shared counter: the losses so far follow from the sequence itself.
            lost = Volatile.Read(ref _counters.OverwrittenBeforeClear) + position - capacity + 1;
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

            if (Sequence(held) > sequence)
            {
                return lost; // a newer record already took the slot: this one is older than the ring keeps
            }

            if (Interlocked.CompareExchange(ref slot.Sequence, Writing, held) == held)
            {
                break;
            }
        }

        slot.Record = record;
        slot.End = default;
        Volatile.Write(ref slot.Sequence, sequence * 2);
        return lost;
    }

    /// <summary>
    /// Writes the end of an admitted call into the slot of its admission's record (<paramref name="sequence"/>). False,
    /// changing nothing, when that record is no longer in the ring (overwritten, being overwritten, or cleared) or already
    /// ended: the caller then writes the end as a record of its own.
    /// </summary>
    public bool TryEnd(long sequence, in AuditEnd end)
    {
        ref Slot slot = ref _slots[sequence % _slots.Length];
        long admitted = sequence * 2;
        if (Volatile.Read(ref slot.Sequence) != admitted || Interlocked.CompareExchange(ref slot.Sequence, Writing, admitted) != admitted)
        {
            return false;
        }

        if (sequence < Volatile.Read(ref _counters.Start))
        {
            Volatile.Write(ref slot.Sequence, admitted); // cleared meanwhile: the end belongs after the clear
            return false;
        }

        slot.End = end;
        Volatile.Write(ref slot.Sequence, admitted + 1);
        return true;
    }

    /// <summary>Adds the records held now, oldest first, to <paramref name="into"/>. The caller orders it with <see cref="Clear"/>.</summary>
    public void CopyTo(List<QuotaAuditRecord> into, bool dropOldest)
    {
        long end = Volatile.Read(ref _counters.Next);
        long start = Volatile.Read(ref _counters.Start);
        int capacity = _slots.Length;
        long first = dropOldest ? Math.Max(start, end - capacity) : start;
        long last = Math.Min(end, first + capacity);
        for (long sequence = first; sequence < last; sequence++)
        {
            if (TryRead(ref _slots[sequence % capacity], sequence, out QuotaAuditRecord record))
            {
                into.Add(record);
            }
        }
    }

    /// <summary>Removes every record held; the overwritten count keeps counting. The caller orders it with <see cref="CopyTo"/>.</summary>
    public void Clear(bool dropOldest)
    {
        long end = Volatile.Read(ref _counters.Next);
        long start = Volatile.Read(ref _counters.Start);
        if (dropOldest)
        {
            Interlocked.Add(ref _counters.OverwrittenBeforeClear, Math.Max(0, end - start - _slots.Length));
        }

        Volatile.Write(ref _counters.Start, end);

        // Release the records' strings. A slot a writer owns right now is left to it: its sequence is below
        // the new start (or it belongs after the clear), so readers treat it correctly either way.
        for (int i = 0; i < _slots.Length; i++)
        {
            ref Slot slot = ref _slots[i];
            long held = Volatile.Read(ref slot.Sequence);
            if (held != Writing && Sequence(held) < end && Interlocked.CompareExchange(ref slot.Sequence, Writing, held) == held)
            {
                slot.Record = default;
                slot.End = default;
                Volatile.Write(ref slot.Sequence, held);
            }
        }
    }

    // Copies the record of sequence out of its slot once its writer has finished; false when a newer
    // record has taken (or is taking) the slot.
    private static bool TryRead(ref Slot slot, long sequence, out QuotaAuditRecord record)
    {
        var spin = default(SpinWait);
        while (true)
        {
            long before = Volatile.Read(ref slot.Sequence);
            if (before == Writing || Sequence(before) < sequence)
            {
                spin.SpinOnce(); // claimed, still being copied in
                continue;
            }

            if (Sequence(before) > sequence)
            {
                record = default;
                return false;
            }

            record = slot.Record;
            AuditEnd end = (before & 1) != 0 ? slot.End : default;
            Interlocked.MemoryBarrier(); // the copy completes before the sequence is read again
            if (Volatile.Read(ref slot.Sequence) == before)
            {
                if ((before & 1) != 0)
                {
                    record = end.ApplyTo(record);
                }

                return true;
            }
        }
    }

    // The record's sequence from a slot's Sequence field (Empty stays -1).
    private static long Sequence(long held) => held >> 1;

    private struct Slot
    {
        public long Sequence;
        public QuotaAuditRecord Record;
        public AuditEnd End;
    }

    // The ring's counters on a cache line of their own (128 bytes: adjacent-line prefetch included).
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Counters
    {
        [FieldOffset(64)]
        public long Next;                    // sequences claimed so far (never reset)

        [FieldOffset(72)]
        public long Start;                   // the first sequence after the last Clear

        [FieldOffset(80)]
        public long OverwrittenBeforeClear;
    }
}
