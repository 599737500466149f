using AgentQuotas.Audit;
using AgentQuotas.Policy.Schema;
using AgentQuotas.Routing;

namespace AgentQuotas.Pipeline;

// Model routing (issue 17): every routing decision is a decision like the others, recorded by the record step (audit
// clock, RequireAudit, metrics) with the model as the record's tool and the reason the model was chosen in its detail.
internal sealed partial class DecisionPipeline
{
    /// <summary>Records a routing decision; under RequireAudit an admitted route the sink refuses comes back refused.</summary>
    public QuotaDecision RecordRoute(AgentRun run, string? model, bool admitted, QuotaReason reason, string detail, TimeSpan waited, TimeSpan? retryAfter, ModelRouteKind kind)
    {
        // A model name the policy does not know may be any text: the record names it only in the (escaped) detail.
        string tool = model is not null && IdentityText.Problem(model) is null ? model : "(unknown model)";
        Attempt a = BeginTurn(run, new QuotaTool(tool, ModelRouter.RouteCategory), cost: 0, withBudget: false);
        DegradationMode mode = !admitted ? DegradationMode.Rejected : waited > TimeSpan.Zero ? DegradationMode.Queued : DegradationMode.Full;
        var decision = new QuotaDecision(admitted, reason, mode, a.Identity.Tenant, ModelRouter.RouteCategory, tool, 0, double.NaN,
            retryAfter, a.Policy.Version, detail, a.Policy.ContentHash);
        bool written = _record.WriteAt(a.Timestamp, run, a.Identity, a.WorkloadClass, a.Workflow, decision,
            admitted ? AuditDecision.Admitted : AuditDecision.Denied, detail, waited);
        if (!written && _requireAudit && admitted)
        {
            decision = new QuotaDecision(false, QuotaReason.AuditUnavailable, DegradationMode.Rejected, decision.Tenant, decision.Category, decision.Tool,
                0, double.NaN, retryAfter: null, decision.PolicyVersion, "The audit sink refused the record.", decision.PolicyHash);
        }

        _record.Metrics.RecordRoute(a.Identity.Tenant, tool, a.WorkloadClass, decision.IsAdmitted ? kind : null);
        if (!decision.IsAdmitted)
        {
            _record.Metrics.RecordDecision(decision, a.WorkloadClass); // a refused route is a denial like any other
        }

        return decision;
    }

    /// <summary>Counts a finished turn of <paramref name="model"/>: one turn, its tokens and its cost at the model's prices.</summary>
    public void CountModelTurn(AgentRun run, string model, long inputTokens, long outputTokens, double cost) =>
        _record.Metrics.RecordModelTurn(run.Identity.Tenant, model, run.WorkloadClass, inputTokens, outputTokens, cost);
}
