using AgentQuotas.Audit;
using AgentQuotas.Policy;

namespace AgentQuotas.Pipeline;

// Issue 17: the record of a call accepted as a deferred job (the "reply later" rung). Its run later goes through
// the steps like any call and is recorded then.
internal sealed partial class DecisionPipeline
{
    /// <summary>
    /// Records that <paramref name="tool"/> was deferred in <paramref name="run"/>; returns false when the record was not
    /// accepted and the gate requires one (the job must then not be stored).
    /// </summary>
    public bool RecordDeferred(AgentRun run, QuotaTool tool, double cost, QuotaReason reason, string detail)
    {
        QuotaPolicy policy = _provider.Current;
        var decision = new QuotaDecision(false, reason, DegradationMode.Deferred, run.Identity.Tenant, tool.Category, tool.Name,
            cost, double.NaN, retryAfter: null, policy.Version, detail, policy.ContentHash);
        return _record.Write(run, run.Identity, run.WorkloadClass, run.Workflow, decision, AuditDecision.Degraded, actualCost: null, detail) || !_requireAudit;
    }
}
