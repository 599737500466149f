using AgentQuotas.Stores;

namespace AgentQuotas.Postgres.Internal;

/// <summary>
/// Charges and refunds that could not reach the server, summed per bucket (and shape) until it returns:
/// refunds and cost corrections, what fail-open and fallback decisions admitted, returned leases.
/// Bounded by the number of buckets, not of corrections.
/// </summary>
internal sealed class PendingCorrections
{
    private readonly Dictionary<(BucketKey Key, BucketShape Shape), (long Ticks, decimal Units)> _entries = new();
    private readonly int _capacity;
    private int _count;

    public PendingCorrections(int capacity) => _capacity = capacity;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds a correction; false when it concerns a new bucket and the table is full.</summary>
    public bool Add(BucketKey key, BucketShape shape, long ticks, decimal units)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue((key, shape), out (long Ticks, decimal Units) sum))
            {
                _entries[(key, shape)] = (Saturated(sum.Ticks, ticks), Saturated(sum.Units, units));
                return true;
            }

            if (_entries.Count >= _capacity)
            {
                return false;
            }

            _entries.Add((key, shape), (ticks, units));
            Volatile.Write(ref _count, _entries.Count);
            return true;
        }
    }

    // Corrections saturate like settle itself: a sum past the deepest debt a bucket may owe changes nothing more,
    // and must not overflow.
    private static long Saturated(long a, long b) =>
        Math.Clamp(a + Math.Clamp(b, -BucketShape.MaxCorrectionTicks, BucketShape.MaxCorrectionTicks), -BucketShape.MaxCorrectionTicks, BucketShape.MaxCorrectionTicks);

    private static decimal Saturated(decimal a, decimal b)
    {
        try
        {
            return a + b;
        }
        catch (OverflowException)
        {
            return b > 0 ? decimal.MaxValue : decimal.MinValue;
        }
    }

    public List<Entry> TakeAll()
    {
        lock (_entries)
        {
            var all = new List<Entry>(_entries.Count);
            foreach (KeyValuePair<(BucketKey Key, BucketShape Shape), (long Ticks, decimal Units)> e in _entries)
            {
                if (e.Value.Ticks != 0 || e.Value.Units != 0)
                {
                    all.Add(new Entry(e.Key.Key, e.Key.Shape, e.Value.Ticks, e.Value.Units));
                }
            }

            _entries.Clear();
            Volatile.Write(ref _count, 0);
            return all;
        }
    }

    public readonly record struct Entry(BucketKey Key, BucketShape Shape, long Ticks, decimal Units);
}
