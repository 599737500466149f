using AgentQuotas;

namespace SupportDesk.Reporting;

/// <summary>
/// The gate's decisions on guarded tool calls, from the audit trail. Model turns are not tool calls; what stopped a
/// conversation is in <see cref="ConversationCounts"/>.
/// </summary>
public sealed record CallCounts
{
    /// <summary>Calls admitted: the tool ran, at once or after waiting.</summary>
    public int Admitted { get; init; }

    /// <summary>Calls that had to wait in a queue (bucket or pool), whether they were then served or not.</summary>
    public int Queued { get; init; }

    /// <summary>Of <see cref="Admitted"/>, those served after waiting (mode Queued).</summary>
    public int AdmittedAfterWaiting { get; init; }

    /// <summary>Calls refused in full but served by a lower rung, by mode (DraftOnly: the fallback ran).</summary>
    public IReadOnlyDictionary<DegradationMode, int> Degraded { get; init; } = new SortedDictionary<DegradationMode, int>();

    /// <summary>Why calls were degraded.</summary>
    public IReadOnlyDictionary<QuotaReason, int> DegradedReasons { get; init; } = new SortedDictionary<QuotaReason, int>();

    /// <summary>Calls refused with nothing to serve them, by reason.</summary>
    public IReadOnlyDictionary<QuotaReason, int> Denied { get; init; } = new SortedDictionary<QuotaReason, int>();

    /// <summary>Tool calls that failed after admission (or were cancelled while running).</summary>
    public int Failed { get; init; }

    /// <summary>All degraded calls.</summary>
    public int DegradedTotal => Degraded.Values.Sum();

    /// <summary>All denied calls.</summary>
    public int DeniedTotal => Denied.Values.Sum();
}
