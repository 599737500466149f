using System.Diagnostics;
using AgentQuotas.Pipeline;
using AgentQuotas.Telemetry;

namespace AgentQuotas;

// What runs, tickets and the framework integrations ask of the gate: each goes to the decision pipeline.
public sealed partial class QuotaGate
{
    internal DecisionPipeline Pipeline => _pipeline;

    internal ValueTask<QuotaTicket> AcquireForRunAsync(AgentRun run, QuotaTool tool, double cost, CancellationToken cancellationToken, ApprovalBinding binding = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tool);
        ValidateCost(tool, cost);
        cancellationToken.ThrowIfCancellationRequested();
        Attempt attempt = _pipeline.Begin(run, run.Identity, run.WorkloadClass, run.Workflow, tool, cost, binding);
        ValueTask<Admission> pending = _pipeline.DecideAsync(ref attempt, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<QuotaTicket>(ToTicket(run, tool, attempt.Budget, pending.Result))
            : AwaitTicketAsync(pending, run, tool, attempt.Budget);
    }

    internal QuotaTicket AcquireForRun(AgentRun run, QuotaTool tool, double cost, ApprovalBinding binding = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tool);
        ValidateCost(tool, cost);
        Attempt attempt = _pipeline.Begin(run, run.Identity, run.WorkloadClass, run.Workflow, tool, cost, binding);
        Admission admission = _pipeline.Decide(ref attempt);
        return ToTicket(run, tool, attempt.Budget, admission);
    }

    internal QuotaDecision BeginIteration(AgentRun run)
    {
        ThrowIfDisposed();
        return _pipeline.BeginIteration(run);
    }

    internal void Complete(in QuotaTicket ticket, double? actualCost) => _pipeline.Complete(ticket, actualCost);

    internal void Fail(in QuotaTicket ticket, Exception? exception) => _pipeline.Fail(ticket, exception);

    /// <summary>Gives back everything an admitted call took, because its tool never started.</summary>
    internal void Withdraw(in QuotaTicket ticket, string detail) => _pipeline.Withdraw(ticket, detail);

    /// <summary>Records the refusal of a tool that is neither annotated nor in the policy's <c>tools</c> section.</summary>
    internal QuotaDecision RefuseUnknownTool(AgentRun run, string toolName, string detail)
    {
        ThrowIfDisposed();
        return _pipeline.RefuseUnknownTool(run, toolName, detail);
    }

    private static QuotaTicket ToTicket(AgentRun run, QuotaTool tool, Policy.CategoryBudget? budget, in Admission admission)
    {
        ref readonly QuotaDecision decision = ref admission.Decision;
        Activity? activity = null;
        if (decision.IsAdmitted && QuotaTelemetry.ActivitySource.HasListeners())
        {
            activity = QuotaTelemetry.ActivitySource.StartActivity("agentquotas.tool");
            if (activity is not null)
            {
                activity.SetTag(QuotaTelemetry.Tags.Tool, tool.Name);
                activity.SetTag(QuotaTelemetry.Tags.Category, tool.Category);
                activity.SetTag(QuotaTelemetry.Tags.Tenant, run.Identity.Tenant);
                activity.SetTag(QuotaTelemetry.Tags.Class, run.WorkloadClass.ToString());
                activity.SetTag(QuotaTelemetry.Tags.PolicyVersion, decision.PolicyVersion);
                activity.SetTag("agentquotas.cost.planned", decision.Cost);
            }
        }

        return new QuotaTicket(run, tool, budget, in decision, activity, admission.Lease, admission.Principal, admission.RecordedAt, admission.AuditHandle);
    }

    private static async ValueTask<QuotaTicket> AwaitTicketAsync(ValueTask<Admission> pending, AgentRun run, QuotaTool tool, Policy.CategoryBudget? budget) =>
        ToTicket(run, tool, budget, await pending.ConfigureAwait(false));
}
