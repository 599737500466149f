using System.Runtime.InteropServices;
using AgentQuotas.Scheduling;

namespace AgentQuotas.Pipeline;

/// <summary>A decision and, when admitted in a run with compute pools, the slot it holds.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct Admission
{
    public Admission(in QuotaDecision decision, PoolLease lease = default)
    {
        Decision = decision;
        Lease = lease;
    }

    public QuotaDecision Decision { get; }

    public PoolLease Lease { get; }
}
