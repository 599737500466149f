using System.Runtime.InteropServices;
using AgentQuotas.Scheduling;

namespace AgentQuotas.Pipeline;

/// <summary>A decision and, when admitted in a run with compute pools, the slot it holds.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct Admission
{
    public Admission(in QuotaDecision decision, PoolLease lease = default, Policy.PrincipalPolicy? principal = null, long recordedAt = 0, long auditHandle = 0)
    {
        RecordedAt = recordedAt;
        AuditHandle = auditHandle;
        Decision = decision;
        Lease = lease;
        Principal = principal;
    }

    /// <summary>The principal block whose bucket the admitted call took units from (null when none).</summary>
    public Policy.PrincipalPolicy? Principal { get; }

    // A field, so the ticket is built from it without another copy of the decision.
    public readonly QuotaDecision Decision;

    /// <summary>When the admission's audit record was stamped (UTC ticks); 0 for a refusal.</summary>
    public long RecordedAt { get; }

    /// <summary>The admission's record in a sink that writes the call's end into it (0 when none).</summary>
    public long AuditHandle { get; }

    public PoolLease Lease { get; }
}
