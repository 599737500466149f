using AgentQuotas.Policy;

namespace AgentQuotas.Scheduling;

/// <summary>
/// The state of one named compute pool: a concurrency limit, the classes it serves (all, for a shared
/// pool) and its slots. Guarded by the owning <see cref="ComputePoolSet"/>'s lock.
/// </summary>
internal sealed class ComputePool
{
    private const double HoldSmoothing = 0.2;

    private PoolSlot[] _slots = [];
    private int[] _free = [];
    private int _freeCount;

    public ComputePool(PoolPolicy policy)
    {
        Name = policy.Name;
        Configure(policy);
    }

    public string Name { get; }

    public int Concurrency { get; private set; }

    public bool IsReserved { get; private set; }

    /// <summary>Whether the pool takes privileged tools only.</summary>
    public bool IsPrivileged { get; private set; }

    /// <summary>Whether the current policy still has this pool (a removed pool only takes releases).</summary>
    public bool IsRemoved { get; set; }

    public int InUse { get; private set; }

    public int[] RunningByClass { get; } = new int[WaitingLine.ClassCount];

    /// <summary>Smoothed time a slot is held, in ticks; 0 before the first release.</summary>
    public double MeanHoldTicks { get; private set; }

    public bool HasFree => !IsRemoved && InUse < Concurrency;

    public bool Serves(WorkloadClass workloadClass) => _serves[(int)workloadClass];

    private readonly bool[] _serves = new bool[WaitingLine.ClassCount];

    public void Configure(PoolPolicy policy)
    {
        Concurrency = policy.Concurrency;
        IsReserved = policy.IsReserved;
        IsPrivileged = policy.IsPrivileged;
        IsRemoved = false;
        for (int c = 0; c < WaitingLine.ClassCount; c++)
        {
            _serves[c] = policy.Serves((WorkloadClass)c);
        }

        if (_slots.Length < policy.Concurrency)
        {
            int old = _slots.Length;
            Array.Resize(ref _slots, policy.Concurrency);
            Array.Resize(ref _free, policy.Concurrency);
            for (int i = old; i < _slots.Length; i++)
            {
                _slots[i] = new PoolSlot(this, i);
                _free[_freeCount++] = i;
            }
        }
    }

    /// <summary>Within its reserved share of this pool: fewer running than share x concurrency.</summary>
    public bool WithinShare(int c, double share) => share > 0 && RunningByClass[c] < share * Concurrency;

    public PoolLease Take(WorkloadClass workloadClass, string tenant, long now)
    {
        PoolSlot slot = _slots[_free[--_freeCount]];
        slot.InUse = true;
        slot.Class = workloadClass;
        slot.Tenant = tenant;
        slot.AcquiredAt = now;
        InUse++;
        RunningByClass[(int)workloadClass]++;
        return new PoolLease(slot, slot.Generation);
    }

    /// <summary>Frees the slot if the lease still holds it; returns <see langword="false"/> for a stale lease.</summary>
    public bool Release(in PoolLease lease, long now)
    {
        PoolSlot slot = lease.Slot!;
        if (!slot.InUse || slot.Generation != lease.Generation)
        {
            return false;
        }

        slot.InUse = false;
        slot.Generation++;
        InUse--;
        RunningByClass[(int)slot.Class]--;
        _free[_freeCount++] = slot.Index;
        double held = Math.Max(0, now - slot.AcquiredAt);
        MeanHoldTicks = MeanHoldTicks == 0 ? held : MeanHoldTicks + (HoldSmoothing * (held - MeanHoldTicks));
        return true;
    }
}
