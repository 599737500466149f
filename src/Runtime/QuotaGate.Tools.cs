using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Resilience;
using AgentQuotas.Stores;

namespace AgentQuotas;

// What the framework integrations (AgentQuotas.Tools.GuardedToolInvoker) need from the gate beyond acquiring:
// a recorded refusal for a tool nobody described, giving back an admission whose tool never ran, and a bound
// on how long an approval service may take.
public sealed partial class QuotaGate
{
    private const string UnknownToolCategory = "(unknown)";

    /// <summary>Records the refusal of a tool that is neither annotated nor in the policy's <c>tools</c> section.</summary>
    internal QuotaDecision RefuseUnknownTool(AgentRun run, string toolName, string detail)
    {
        ThrowIfDisposed();
        QuotaPolicy policy = _provider.Current;
        var decision = new QuotaDecision(false, QuotaReason.UnknownTool, DegradationMode.Rejected, run.Identity.Tenant, UnknownToolCategory, toolName,
            0, double.NaN, retryAfter: null, policy.Version, detail, policy.ContentHash);
        WriteAudit(_clock.Timestamp(), run, run.Identity, run.WorkloadClass, run.Workflow, decision, AuditDecision.Denied, actualCost: null, policy.Version, detail);
        _metrics.RecordDecision(decision, run.WorkloadClass);
        Log.Denied(_logger, toolName, run.Identity.Tenant, UnknownToolCategory, QuotaReason.UnknownTool);
        return decision;
    }

    /// <summary>
    /// Gives back everything an admitted call took, because its tool never started (the caller cancelled between
    /// admission and the call): the units, the run's tool call and cost, the pool slot and a breaker probe. The
    /// audit trail records it as a cancelled call.
    /// </summary>
    internal void Withdraw(in QuotaTicket ticket, string detail)
    {
        QuotaDecision d = ticket.Decision;
        if (ticket.Budget is not null)
        {
            _store.Settle(new BucketKey(d.Tenant, d.Category), ticket.Budget.Limits, -d.Cost);
        }

        AgentRun run = ticket.Run;
        run.Release(d.Cost);
        ticket.Activity?.Dispose();
        ReleasePool(ticket.Lease);
        if (_breakers.GetState(d.Category) == CircuitState.HalfOpen)
        {
            _breakers.CancelProbe(d.Category);
        }

        QuotaPolicy policy = _provider.Current;
        if (policy.Anomaly is not null)
        {
            ObserveSpend(run, run.Identity, run.WorkloadClass, run.Workflow, policy, -d.Cost);
        }

        var withdrawn = new QuotaDecision(false, QuotaReason.Cancelled, DegradationMode.Rejected, d.Tenant, d.Category, d.Tool,
            d.Cost, double.NaN, retryAfter: null, d.PolicyVersion, detail, d.PolicyHash);
        WriteAudit(_clock.Timestamp(), run, run.Identity, run.WorkloadClass, run.Workflow, withdrawn, AuditDecision.Denied, actualCost: null, d.PolicyVersion, detail);
    }

    // Waits for the approval service at most ApprovalTimeout (on the gate's clock). A late answer counts as
    // "not approved"; the request stays with the service, and its outcome (or fault) is observed and dropped.
    private async ValueTask<ApprovalDecision> RequestApprovalBoundedAsync(Attempt a, CancellationToken cancellationToken)
    {
        ValueTask<ApprovalDecision> answer = _approval.RequestApprovalAsync(CreateApprovalRequest(a), cancellationToken);
        if (answer.IsCompleted)
        {
            return answer.GetAwaiter().GetResult();
        }

        Task<ApprovalDecision> pending = answer.AsTask();
        try
        {
            return await pending.WaitAsync(_approvalTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!pending.IsCompleted)
        {
            _ = ObserveAsync(pending);
            return ApprovalDecision.Pending(
                "the approval service did not answer within " + QuotaMessages.FormatDuration(_approvalTimeout) + "; the call is not approved");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !pending.IsCompleted)
        {
            _ = ObserveAsync(pending);
            throw;
        }

        static async Task ObserveAsync(Task<ApprovalDecision> late)
        {
            try
            {
                await late.ConfigureAwait(false);
            }
            catch
            {
                // Nothing waits for this answer any more.
            }
        }
    }
}
