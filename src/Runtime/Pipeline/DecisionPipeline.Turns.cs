using AgentQuotas.Audit;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

// Model turns and token usage, through the same steps as tool calls: resolve (so a quarantined tenant runs
// under its quarantine tier), the run caps, the bucket and the record (audit clock, metrics, RequireAudit),
// then the anomaly observation of the spend.
internal sealed partial class DecisionPipeline
{
    private static readonly QuotaTool IterationTool = new("(iteration)", "(run)");

    /// <summary>Counts one iteration (model turn) of the run.</summary>
    public QuotaDecision BeginIteration(AgentRun run)
    {
        Attempt a = BeginTurn(run, IterationTool, cost: 0, withBudget: false);
        Refusal refusal = default;
        if (ResolveStep.Check(in a, withBudget: false, ref refusal) != Flow.Next || RunCapsStep.CountIteration(ref a, ref refusal) != Flow.Next)
        {
            return Refuse(ref a, in refusal, synchronous: true, out _).Decision;
        }

        var decision = new QuotaDecision(true, QuotaReason.None, DegradationMode.Full, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            0, double.NaN, retryAfter: null, a.Policy.Version, detail: null, a.Policy.ContentHash);
        decision = Recorded(ref a, decision, AuditDecision.Admitted, actualCost: null, countAdmitted: false);
        if (decision.IsAdmitted)
        {
            _record.Metrics.RecordIteration(a.Identity.Tenant, a.WorkloadClass); // an iteration, not a tool-call decision
        }

        return decision;
    }

    /// <summary>Checks, without taking anything, whether work paid for afterwards (model tokens) may start.</summary>
    public QuotaDecision CheckUsage(AgentRun run, QuotaTool tool)
    {
        Attempt a = BeginTurn(run, tool, cost: 0, withBudget: true);
        Refusal refusal = default;
        if (ResolveStep.Check(in a, withBudget: true, ref refusal) != Flow.Next)
        {
            return Refuse(ref a, in refusal, synchronous: true, out _).Decision;
        }

        Refusal empty = default;
        Flow bucket = _bucket.CheckUsage(in a, out BucketSnapshot level, ref empty);
        if (RunCapsStep.CheckUsage(in a, ref refusal) != Flow.Next)
        {
            return Refuse(ref a, new Refusal(refusal.Reason, new QuotaStoreResult(QuotaStoreOutcome.Admitted, level.Available), refusal.Detail), synchronous: true, out _).Decision;
        }

        if (bucket != Flow.Next)
        {
            return Refuse(ref a, in empty, synchronous: true, out _).Decision;
        }

        return new QuotaDecision(true, QuotaReason.None, DegradationMode.Full, a.Identity.Tenant, tool.Category, tool.Name,
            0, level.Available, retryAfter: null, a.Policy.Version, detail: null, a.Policy.ContentHash);
    }

    /// <summary>
    /// Charges usage already incurred to the bucket and the run (nothing is refused: the work has happened, so the
    /// bucket may go into debt), records it as a completed call and observes the spend.
    /// </summary>
    public QuotaDecision RecordUsage(AgentRun run, QuotaTool tool, double cost) => RecordUsage(run, tool, cost, model: null, tokens: default);

    /// <summary>As <see cref="RecordUsage(AgentRun, QuotaTool, double)"/>, counting the tokens by model when <paramref name="model"/> is given.</summary>
    public QuotaDecision RecordUsage(AgentRun run, QuotaTool tool, double cost, string? model, Guard.ModelTokenUsage tokens)
    {
        Attempt a = BeginTurn(run, tool, cost, withBudget: true);
        a.Revoked = null; // the work has happened: revocation stops what starts (iterations, usage checks), not the bill
        if (a.Quarantined && a.Budget is null)
        {
            // The spend happened: it lands in the tenant's own budget when the quarantine tier has none for it.
            a.Policy.TryResolveTier(a.Identity.Tenant, out a.Tier);
            a.Tier?.TryGetBudget(tool.Category, out a.Budget);
        }

        Refusal refusal = default;
        if (ResolveStep.Check(in a, withBudget: true, ref refusal) != Flow.Next)
        {
            return Refuse(ref a, in refusal, synchronous: true, out _).Decision;
        }

        double remaining = _bucket.Charge(a.Key, a.Budget!.Limits, cost);
        if (cost > 0)
        {
            _principal.Charge(in a, cost);
            run.AdjustCost(cost);
        }

        var decision = new QuotaDecision(true, QuotaReason.None, DegradationMode.Full, a.Identity.Tenant, tool.Category, tool.Name,
            cost, remaining, retryAfter: null, a.Policy.Version, "usage already incurred", a.Policy.ContentHash);
        decision = Recorded(ref a, decision, AuditDecision.Completed, actualCost: cost, countAdmitted: true);
        if (cost > 0 && a.Policy.Anomaly is not null)
        {
            _anomaly.Observe(run, a.Identity, a.WorkloadClass, a.Workflow, a.Policy, cost);
        }

        if (model is not null && decision.IsAdmitted)
        {
            _record.Metrics.RecordModelUsage(a.Identity.Tenant, model, tokens.InputTokens, tokens.OutputTokens, tokens.UnsplitTokens, cost);
            long total = tokens.InputTokens + tokens.OutputTokens + tokens.UnsplitTokens;
            if (total > 0 && a.Policy.Anomaly?.Tokens is not null)
            {
                _anomaly.Observe(run, a.Identity, a.WorkloadClass, a.Workflow, a.Policy, Policy.AnomalySignal.Tokens, total);
            }
        }

        return decision;
    }

    private Attempt BeginTurn(AgentRun run, QuotaTool tool, double cost, bool withBudget)
    {
        var a = new Attempt(run, run.Identity, run.WorkloadClass, run.Workflow, tool, cost, _provider.Current, _clock.Timestamp());
        _resolve.Resolve(ref a, withBudget);
        return a;
    }

    // The record of an admitted turn; under RequireAudit a record the sink refuses undoes what the turn took
    // (usage already incurred stays charged: the work has happened) and reports the refusal.
    private QuotaDecision Recorded(ref Attempt a, QuotaDecision decision, AuditDecision kind, double? actualCost, bool countAdmitted)
    {
        if (!_record.Write(a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, kind, actualCost, decision.Detail, a.Timestamp) && _requireAudit)
        {
            _ = Undo(ref a, synchronous: true);
            decision = new QuotaDecision(false, QuotaReason.AuditUnavailable, DegradationMode.Rejected, decision.Tenant, decision.Category, decision.Tool,
                decision.Cost, decision.Remaining, retryAfter: null, decision.PolicyVersion, "The audit sink refused the record.", decision.PolicyHash);
        }

        if (countAdmitted || !decision.IsAdmitted)
        {
            _record.Metrics.RecordDecision(decision, a.WorkloadClass);
        }

        return decision;
    }
}
