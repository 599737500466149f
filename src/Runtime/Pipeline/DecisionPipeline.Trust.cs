using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Trust;

namespace AgentQuotas.Pipeline;

// Issue 16: the record of a run's class when the class ceiling lowered or refused it at BeginRun (the ceiling
// itself: Trust/ClassCeiling.cs). Revocation is part of the resolve step and the principal's bucket is its own
// step (PrincipalStep); both are recorded like every decision.
internal sealed partial class DecisionPipeline
{
    private static readonly QuotaTool RunOpenTool = new("(run)", "(run)");

    /// <summary>Records a lowered (admitted, degraded) or refused run class; returns the decision.</summary>
    public QuotaDecision RecordRunClass(QuotaPolicy policy, AgentIdentity identity, string? workflow, AgentRun? run, in RunClass runClass)
    {
        bool refused = runClass.Verdict == ClassVerdict.Refused;
        var decision = new QuotaDecision(!refused, QuotaReason.ClassCeiling, refused ? DegradationMode.Rejected : DegradationMode.Full,
            identity.Tenant, RunOpenTool.Category, RunOpenTool.Name, 0, double.NaN, retryAfter: null, policy.Version, runClass.Detail, policy.ContentHash);
        _record.Write(run, identity, runClass.Class, workflow, decision, refused ? AuditDecision.Denied : AuditDecision.Degraded, actualCost: null, runClass.Detail);
        return decision;
    }
}
