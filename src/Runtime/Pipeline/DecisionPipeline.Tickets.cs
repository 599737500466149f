using System.Diagnostics;
using AgentQuotas.Audit;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

// The end of an admitted call (its ticket completed, failed or withdrawn) and the refusal of a tool nobody
// described: recorded by the record step like every decision.
internal sealed partial class DecisionPipeline
{
    private const string UnknownToolCategory = "(unknown)";

    public void Complete(in QuotaTicket ticket, double? actualCost)
    {
        ref readonly QuotaDecision d = ref ticket.DecisionRef;
        AgentRun run = ticket.Run;
        if (actualCost is double actual)
        {
            // Validated by the ticket before it settled.
            double delta = actual - d.Cost;
            if (delta != 0 && ticket.Budget is not null)
            {
                _bucket.Settle(new BucketKey(d.Tenant, d.Category), ticket.Budget.Limits, delta);
                _principal.Settle(ticket, delta);
                run.AdjustCost(delta);
            }

            _record.Metrics.RecordCostCorrection(d.Tenant, d.Category, run.WorkloadClass, d.Cost, actual);
            ticket.Activity?.SetTag("agentquotas.cost.actual", actual);
        }

        ticket.Activity?.Dispose();
        _pool.Release(ticket.Lease);
        _breaker.Succeeded(d.Category);
        if (actualCost is double reported && reported != d.Cost)
        {
            _anomaly.Observe(run, run.Identity, run.WorkloadClass, run.Workflow, _provider.Current, reported - d.Cost);
        }

        _record.End(run, d, AuditDecision.Completed, actualCost ?? d.Cost, detail: null, ticket.AdmittedAt, ticket.AuditHandle);
        _record.Metrics.RecordOutcome(d, run.WorkloadClass, failed: false);
    }

    public void Fail(in QuotaTicket ticket, Exception? exception)
    {
        ref readonly QuotaDecision d = ref ticket.DecisionRef;
        if (ticket.Activity is Activity activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception?.Message);
            activity.Dispose();
        }

        _pool.Release(ticket.Lease);
        _breaker.Failed(d.Category, _provider.Current, exception);
        string detail = exception is null ? "the call failed" : exception.GetType().Name + ": " + exception.Message;
        AgentRun run = ticket.Run;
        _record.End(run, d, AuditDecision.Failed, actualCost: null, detail, ticket.AdmittedAt, ticket.AuditHandle);
        _record.Metrics.RecordOutcome(d, run.WorkloadClass, failed: true);
    }

    /// <summary>
    /// Gives back everything an admitted call took, because its tool never started (the caller cancelled between
    /// admission and the call): the units, the run's tool call and cost, the pool slot and a breaker probe.
    /// </summary>
    public void Withdraw(in QuotaTicket ticket, string detail)
    {
        ref readonly QuotaDecision d = ref ticket.DecisionRef;
        if (ticket.Budget is not null)
        {
            _bucket.Settle(new BucketKey(d.Tenant, d.Category), ticket.Budget.Limits, -d.Cost);
            _principal.Settle(ticket, -d.Cost);
        }

        AgentRun run = ticket.Run;
        run.Release(d.Cost);
        ticket.Activity?.Dispose();
        _pool.Release(ticket.Lease);
        _breaker.Withdrawn(d.Category);
        Policy.QuotaPolicy policy = _provider.Current;
        if (policy.Anomaly is not null)
        {
            _anomaly.Observe(run, run.Identity, run.WorkloadClass, run.Workflow, policy, -d.Cost);
        }

        var withdrawn = new QuotaDecision(false, QuotaReason.Cancelled, DegradationMode.Rejected, d.Tenant, d.Category, d.Tool,
            d.Cost, double.NaN, retryAfter: null, d.PolicyVersion, detail, d.PolicyHash);
        _record.Write(run, run.Identity, run.WorkloadClass, run.Workflow, withdrawn, AuditDecision.Denied, actualCost: null, detail);
    }

    /// <summary>Records the refusal of a tool that is neither annotated nor in the policy's <c>tools</c> section.</summary>
    public QuotaDecision RefuseUnknownTool(AgentRun run, string toolName, string detail)
    {
        Policy.QuotaPolicy policy = _provider.Current;
        var decision = new QuotaDecision(false, QuotaReason.UnknownTool, DegradationMode.Rejected, run.Identity.Tenant, UnknownToolCategory, toolName,
            0, double.NaN, retryAfter: null, policy.Version, detail, policy.ContentHash);
        _record.Write(run, run.Identity, run.WorkloadClass, run.Workflow, decision, AuditDecision.Denied, actualCost: null, detail);
        _record.Metrics.RecordDecision(decision, run.WorkloadClass);
        Log.Denied(_record.Logger, toolName, run.Identity.Tenant, UnknownToolCategory, QuotaReason.UnknownTool);
        return decision;
    }
}
