using System.Runtime.InteropServices;

namespace AgentQuotas.Audit;

/// <summary>
/// The end of an admitted call as <see cref="AuditRing.TryEnd"/> writes it into its admission's slot: readers see it on
/// that record (<see cref="QuotaAuditRecord.Outcome"/>, <see cref="QuotaAuditRecord.EndedAt"/>,
/// <see cref="QuotaAuditRecord.ActualCost"/>, <see cref="QuotaAuditRecord.OutcomeDetail"/>).
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct AuditEnd
{
    public AuditEnd(DateTimeOffset at, AuditDecision outcome, double? actualCost, string? detail)
    {
        At = at;
        Outcome = outcome;
        ActualCost = actualCost;
        Detail = detail;
    }

    public DateTimeOffset At { get; }

    public AuditDecision Outcome { get; }

    public double? ActualCost { get; }

    public string? Detail { get; }

    public QuotaAuditRecord ApplyTo(in QuotaAuditRecord admission) =>
        admission with { Outcome = Outcome, EndedAt = At, ActualCost = ActualCost, OutcomeDetail = Detail };
}
