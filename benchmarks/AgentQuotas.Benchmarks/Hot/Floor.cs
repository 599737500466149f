using System.Diagnostics;
using System.Runtime.CompilerServices;
using AgentQuotas.Audit;

namespace AgentQuotas.Benchmarks.Hot;

/// <summary>
/// The floor of an audited per-tenant decision (issue 18): what no guard can skip. One <see cref="AsyncLocal{T}"/>
/// read (the current run: the tenant and fail-closed outside a run), one clock read (exact refill), one
/// compare-and-swap on a bucket-sized object (the bucket's arrival time, GCRA style) and one audit record copied
/// into a ring slot (every decision audited). Written as plainly as it can be, with nothing else.
/// </summary>
public sealed class Floor
{
    private static readonly AsyncLocal<object?> Current = new();
    private readonly FloorBucket _bucket = new();
    private readonly QuotaAuditRecord[] _ring = new QuotaAuditRecord[1024];
    private readonly QuotaAuditRecord _template = new()
    {
        Tenant = "acme", Principal = "bench", Tool = "HotTools.Add", Category = "search", PolicyVersion = "bench-1", PlannedCost = 1,
        Decision = AuditDecision.Admitted,
    };

    private long _next;

    /// <summary>Makes the current flow's value non-null, as a run is current in the guarded benchmarks.</summary>
    public void Enter() => Current.Value = this;

    /// <summary>One decision at the floor: true when admitted (always, with the emission interval of 1 tick).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool Decide()
    {
        if (Current.Value is null)
        {
            return false; // fail closed outside a run
        }

        long now = Stopwatch.GetTimestamp();
        long tat = Volatile.Read(ref _bucket.Tat);
        long next = Math.Max(tat, now) + 1;
        if (Interlocked.CompareExchange(ref _bucket.Tat, next, tat) != tat)
        {
            return false;
        }

        long slot = _next++;
        ref QuotaAuditRecord target = ref _ring[slot & 1023];
        target = _template with { Timestamp = new DateTimeOffset(now, TimeSpan.Zero) };
        return true;
    }

    // About what an in-memory bucket holds: the arrival time, credits, shape and category references.
    private sealed class FloorBucket
    {
        public long Tat;
#pragma warning disable CS0649, CS0169 // size only
        public long Credits;
        public object? Limits;
        public string? Category;
#pragma warning restore CS0649, CS0169
    }
}
