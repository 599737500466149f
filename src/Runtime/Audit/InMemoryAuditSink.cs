using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQuotas.Audit;

/// <summary>
/// Keeps the most recent audit records in a bounded ring in memory (the gate's default sink). When full
/// it drops per <see cref="AuditFullMode"/> and counts every loss.
/// </summary>
public sealed class InMemoryAuditSink : IQuotaAuditSink
{
    private readonly QuotaAuditRecord[] _ring;
    private readonly AuditFullMode _fullMode;
    private readonly AuditDropReporter _drops;
    private readonly Lock _lock = new();
    private long _written;

    /// <summary>Creates a sink.</summary>
    /// <param name="capacity">Most records kept; at least 1. Default 10,000.</param>
    /// <param name="fullMode">What to drop when full. Default <see cref="AuditFullMode.DropOldest"/>.</param>
    /// <param name="logger">Where losses are reported.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public InMemoryAuditSink(int capacity = 10_000, AuditFullMode fullMode = AuditFullMode.DropOldest, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new QuotaAuditRecord[capacity];
        _fullMode = fullMode;
        _drops = new AuditDropReporter(nameof(InMemoryAuditSink), logger ?? NullLogger.Instance);
    }

    /// <summary>Most records kept.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Records accepted so far (including any later overwritten).</summary>
    public long WrittenCount => Interlocked.Read(ref _written);

    /// <inheritdoc/>
    public long DroppedCount => _drops.Dropped;

    /// <inheritdoc/>
    public bool TryWrite(in QuotaAuditRecord record)
    {
        bool overwrote;
        lock (_lock)
        {
            long written = _written;
            if (written >= _ring.Length && _fullMode == AuditFullMode.DropNewest)
            {
                overwrote = false;
                goto Refused;
            }

            overwrote = written >= _ring.Length;
            _ring[written % _ring.Length] = record;
            _written = written + 1;
        }

        if (overwrote)
        {
            _drops.Report(1, "the ring is full; the oldest record was overwritten");
        }

        return true;

    Refused:
        _drops.Report(1, "the ring is full; the new record was refused");
        return false;
    }

    /// <summary>The records held now, oldest first.</summary>
    public IReadOnlyList<QuotaAuditRecord> Snapshot()
    {
        lock (_lock)
        {
            long written = _written;
            int count = (int)Math.Min(written, _ring.Length);
            var result = new QuotaAuditRecord[count];
            long start = written - count;
            for (int i = 0; i < count; i++)
            {
                result[i] = _ring[(start + i) % _ring.Length];
            }

            return result;
        }
    }

    /// <summary>Removes every record held (the counters stay).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            Array.Clear(_ring);
            _written = 0;
        }
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
