namespace AgentQuotas;

/// <summary>
/// What makes a <see cref="QuotaTicket"/> (a value type, freely copied) settle exactly once: the ticket holds a
/// slot and the slot's version when it was issued; settling moves the version on by compare-and-swap, so of
/// all copies racing to complete or fail a ticket exactly one wins. Slots are reused (a run keeps a few), so
/// admitting a call allocates nothing; a reused slot has moved on, so a stale copy still cannot settle.
/// </summary>
internal sealed class TicketSlot
{
    private long _version;

    /// <summary>The version a ticket issued now holds.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Settles the ticket of <paramref name="version"/>: true for the one caller that does, false for every later one.</summary>
    public bool TrySettle(long version) => Interlocked.CompareExchange(ref _version, version + 1, version) == version;
}
