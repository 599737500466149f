using System.Runtime.InteropServices;

namespace AgentQuotas.Scheduling;

/// <summary>
/// A held compute-pool slot: the slot object (pre-allocated by its pool) and the generation it was
/// granted at, so a copy of a ticket released twice releases once. A value type: holding one allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct PoolLease
{
    public PoolLease(PoolSlot slot, int generation)
    {
        Slot = slot;
        Generation = generation;
    }

    public PoolSlot? Slot { get; }

    public int Generation { get; }

    public bool IsHeld => Slot is not null;

    public string? PoolName => Slot?.Pool.Name;
}
