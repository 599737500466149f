using AgentQuotas.Policy;
using AgentQuotas.Trust;

namespace AgentQuotas;

// Issue 16: recording what the class ceiling decided when a run opens (the decision itself: Trust/ClassCeiling.cs;
// its record: Pipeline/DecisionPipeline.Trust.cs, through the record step like every decision).
public sealed partial class QuotaGate
{
    // Audits a lowered or refused run class; a refusal throws QuotaExceededException (reason ClassCeiling).
    private void RecordRunClass(QuotaPolicy policy, AgentIdentity identity, string? workflow, AgentRun? run, in RunClass runClass)
    {
        QuotaDecision decision = _pipeline.RecordRunClass(policy, identity, workflow, run, runClass);
        if (!decision.IsAdmitted)
        {
            throw new QuotaExceededException(decision);
        }
    }
}
