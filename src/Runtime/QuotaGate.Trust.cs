using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Trust;

namespace AgentQuotas;

// Issue 16: recording what the class ceiling decided when a run opens (the decision itself: Trust/ClassCeiling.cs).
public sealed partial class QuotaGate
{
    private const string RunOpenTool = "(run)";

    // Audits a lowered or refused run class; a refusal throws QuotaExceededException (reason ClassCeiling).
    private void RecordRunClass(QuotaPolicy policy, AgentIdentity identity, string? workflow, AgentRun? run, in RunClass runClass)
    {
        bool refused = runClass.Verdict == ClassVerdict.Refused;
        var decision = new QuotaDecision(!refused, QuotaReason.ClassCeiling, refused ? DegradationMode.Rejected : DegradationMode.Full,
            identity.Tenant, RunCategory, RunOpenTool, 0, double.NaN, retryAfter: null, policy.Version, runClass.Detail, policy.ContentHash);
        WriteAudit(_clock.Timestamp(), run, identity, runClass.Class, workflow, decision, refused ? AuditDecision.Denied : AuditDecision.Degraded,
            actualCost: null, policy.Version, runClass.Detail);
        if (refused)
        {
            throw new QuotaExceededException(decision);
        }
    }
}
