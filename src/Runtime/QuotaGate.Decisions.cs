using System.Diagnostics;
using System.Runtime.InteropServices;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Telemetry;

namespace AgentQuotas;

// The decision pipeline. Order matters:
//   1. resolve tier and budget (unknown tenant or category: deny, fail closed);
//   2. run checks: deadline, then reserve one tool call and the cost in the run and its ancestors;
//   3. take from the store (bucket and spend ledger, atomically per store);
//   4. ask for approval only when the call could run, so approvers never see calls that would be
//      refused anyway; a call that is not approved gives its units and reservation back;
//   5. record the decision (audit, metrics). Anything refused after step 2 undoes steps 2-3.
public sealed partial class QuotaGate
{
    private const string IterationTool = "(iteration)";
    private const string RunCategory = "(run)";

    internal ValueTask<QuotaTicket> AcquireForRunAsync(AgentRun run, QuotaTool tool, double cost, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tool);
        ValidateCost(tool, cost);
        cancellationToken.ThrowIfCancellationRequested();
        Attempt attempt = CreateAttempt(run, run.Identity, run.WorkloadClass, run.Workflow, tool, cost);
        ValueTask<QuotaDecision> pending = DecideAsync(attempt, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<QuotaTicket>(ToTicket(attempt, pending.Result))
            : AwaitTicketAsync(pending, attempt);
    }

    internal QuotaTicket AcquireForRun(AgentRun run, QuotaTool tool, double cost)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tool);
        ValidateCost(tool, cost);
        Attempt attempt = CreateAttempt(run, run.Identity, run.WorkloadClass, run.Workflow, tool, cost);
        return ToTicket(attempt, Decide(attempt));
    }

    internal QuotaDecision BeginIteration(AgentRun run)
    {
        ThrowIfDisposed();
        QuotaPolicy policy = _provider.Current;
        string tenant = run.Identity.Tenant;
        if (!policy.TryResolveTier(tenant, out TierPolicy? tier))
        {
            return RecordIteration(run, policy, admitted: false, QuotaReason.UnknownTenant, detail: null);
        }

        if (run.FindExpired(TimeProvider.GetTimestamp()) is AgentRun expired)
        {
            return RecordIteration(run, policy, admitted: false, QuotaReason.RunDeadlineExceeded, expired.Describe() + " is past its deadline.");
        }

        if (!run.TryCountIteration(tier.Limits, out _))
        {
            return RecordIteration(run, policy, admitted: false, QuotaReason.RunIterationLimit, run.DescribeCaps(tier.Limits, QuotaReason.RunIterationLimit));
        }

        _metrics.RecordIteration(tenant, run.WorkloadClass);
        return RecordIteration(run, policy, admitted: true, QuotaReason.None, detail: null);
    }

    internal void Complete(in QuotaTicket ticket, double? actualCost)
    {
        QuotaDecision d = ticket.Decision;
        if (actualCost is double actual)
        {
            if (!double.IsFinite(actual) || actual < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(actualCost), actual, $"The actual cost reported by '{d.Tool}' must be a finite number, zero or more.");
            }

            double delta = actual - d.Cost;
            if (delta != 0 && ticket.Budget is not null)
            {
                _store.Settle(new BucketKey(d.Tenant, d.Category), ticket.Budget.Limits, delta);
                ticket.Run.AdjustCost(delta);
            }

            _metrics.RecordCostCorrection(d.Tenant, d.Category, ticket.Run.WorkloadClass, d.Cost, actual);
            ticket.Activity?.SetTag("agentquotas.cost.actual", actual);
        }

        ticket.Activity?.Dispose();
        WriteAudit(ticket.Run, ticket.Run.Identity, ticket.Run.WorkloadClass, ticket.Run.Workflow, d, AuditDecision.Completed, actualCost ?? d.Cost, d.PolicyVersion, detail: null);
    }

    internal void Fail(in QuotaTicket ticket, Exception? exception)
    {
        QuotaDecision d = ticket.Decision;
        if (ticket.Activity is Activity activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception?.Message);
            activity.Dispose();
        }

        string detail = exception is null ? "the call failed" : exception.GetType().Name + ": " + exception.Message;
        WriteAudit(ticket.Run, ticket.Run.Identity, ticket.Run.WorkloadClass, ticket.Run.Workflow, d, AuditDecision.Failed, actualCost: null, d.PolicyVersion, detail);
    }

    private Attempt CreateAttempt(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaTool tool, double cost)
    {
        ArgumentNullException.ThrowIfNull(identity);
        QuotaPolicy policy = _provider.Current;
        TierPolicy? tier = null;
        CategoryBudget? budget = null;
        if (policy.TryResolveTier(identity.Tenant, out tier))
        {
            tier.TryGetBudget(tool.Category, out budget);
        }

        return new Attempt(run, identity, workloadClass, workflow, tool, cost, policy, tier, budget);
    }

    private QuotaDecision Decide(in Attempt a)
    {
        if (!TryReserveRun(a, out QuotaDecision refused))
        {
            return refused;
        }

        QuotaStoreResult taken;
        try
        {
            taken = _store.TryAcquire(a.StoreRequest());
        }
        catch
        {
            a.Run?.Release(a.Cost);
            throw;
        }

        if (!taken.IsAdmitted)
        {
            a.Run?.Release(a.Cost);
            return Deny(a, ToReason(taken.Outcome), taken, taken.Detail);
        }

        if (a.Tool.RequiresApproval)
        {
            ApprovalDecision approval = RequestApprovalSynchronously(a);
            if (approval.Status != ApprovalStatus.Approved)
            {
                Undo(a);
                return DenyUnapproved(a, taken, approval);
            }

            return Admit(a, taken, "approved by " + approval.Approver);
        }

        return Admit(a, taken, taken.Detail);
    }

    private ValueTask<QuotaDecision> DecideAsync(Attempt a, CancellationToken cancellationToken)
    {
        if (!TryReserveRun(a, out QuotaDecision refused))
        {
            return new ValueTask<QuotaDecision>(refused);
        }

        ValueTask<QuotaStoreResult> taking;
        try
        {
            taking = _store.TryAcquireAsync(a.StoreRequest(), cancellationToken);
        }
        catch
        {
            a.Run?.Release(a.Cost);
            throw;
        }

        if (taking.IsCompletedSuccessfully && !a.Tool.RequiresApproval)
        {
            QuotaStoreResult taken = taking.Result;
            if (!taken.IsAdmitted)
            {
                a.Run?.Release(a.Cost);
                return new ValueTask<QuotaDecision>(Deny(a, ToReason(taken.Outcome), taken, taken.Detail));
            }

            return new ValueTask<QuotaDecision>(Admit(a, taken, taken.Detail));
        }

        return DecideSlowAsync(a, taking, cancellationToken);
    }

    // The path that waits: a remote store, or an approval service.
    private async ValueTask<QuotaDecision> DecideSlowAsync(Attempt a, ValueTask<QuotaStoreResult> taking, CancellationToken cancellationToken)
    {
        QuotaStoreResult taken;
        try
        {
            taken = await taking.ConfigureAwait(false);
        }
        catch
        {
            a.Run?.Release(a.Cost);
            throw;
        }

        if (!taken.IsAdmitted)
        {
            a.Run?.Release(a.Cost);
            return Deny(a, ToReason(taken.Outcome), taken, taken.Detail);
        }

        if (!a.Tool.RequiresApproval)
        {
            return Admit(a, taken, taken.Detail);
        }

        ApprovalDecision approval;
        try
        {
            approval = await _approval.RequestApprovalAsync(CreateApprovalRequest(a), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await UndoAsync(a).ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
        {
            Log.ApprovalServiceFailed(_logger, e, a.Tool.Name, a.Identity.Tenant);
            approval = ApprovalDecision.Pending("the approval service failed (" + e.GetType().Name + "); the call is not approved");
        }

        if (approval.Status != ApprovalStatus.Approved)
        {
            await UndoAsync(a).ConfigureAwait(false);
            return DenyUnapproved(a, taken, approval);
        }

        return Admit(a, taken, "approved by " + approval.Approver);
    }

    private ApprovalDecision RequestApprovalSynchronously(in Attempt a)
    {
        ValueTask<ApprovalDecision> answer;
        try
        {
            answer = _approval.RequestApprovalAsync(CreateApprovalRequest(a), CancellationToken.None);
            if (answer.IsCompletedSuccessfully)
            {
                return answer.Result;
            }

            if (answer.IsCompleted)
            {
                return answer.GetAwaiter().GetResult(); // rethrows the fault, handled below
            }
        }
        catch (Exception e)
        {
            Log.ApprovalServiceFailed(_logger, e, a.Tool.Name, a.Identity.Tenant);
            return ApprovalDecision.Pending("the approval service failed (" + e.GetType().Name + "); the call is not approved");
        }

        // The request stays filed with the approval service; this call does not wait for it.
        _ = ObserveAsync(answer);
        return ApprovalDecision.Pending("the approval service answers asynchronously; call the tool on its async path to wait for the answer");

        static async Task ObserveAsync(ValueTask<ApprovalDecision> pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch
            {
                // Already reported as pending; nothing waits for this answer.
            }
        }
    }

    private bool TryReserveRun(in Attempt a, out QuotaDecision refused)
    {
        if (a.Tier is null)
        {
            refused = Deny(a, QuotaReason.UnknownTenant, store: null, detail: null);
            return false;
        }

        if (a.Budget is null)
        {
            refused = Deny(a, QuotaReason.UnknownCategory, store: null,
                $"Tier '{a.Tier.Name}' budgets: {string.Join(", ", a.Tier.Categories.Keys)}.");
            return false;
        }

        if (a.Run is AgentRun run)
        {
            if (run.FindExpired(TimeProvider.GetTimestamp()) is AgentRun expired)
            {
                refused = Deny(a, QuotaReason.RunDeadlineExceeded, store: null, expired.Describe() + " is past its deadline.");
                return false;
            }

            QuotaReason capped = run.TryReserve(a.Cost, a.Tier.Limits, out AgentRun? limiting);
            if (capped != QuotaReason.None)
            {
                refused = Deny(a, capped, store: null, limiting!.DescribeCaps(a.Tier.Limits, capped));
                return false;
            }
        }

        refused = default;
        return true;
    }

    private void Undo(in Attempt a)
    {
        _store.Settle(new BucketKey(a.Identity.Tenant, a.Tool.Category), a.Budget!.Limits, -a.Cost);
        a.Run?.Release(a.Cost);
    }

    private async ValueTask UndoAsync(Attempt a)
    {
        await _store.SettleAsync(new BucketKey(a.Identity.Tenant, a.Tool.Category), a.Budget!.Limits, -a.Cost).ConfigureAwait(false);
        a.Run?.Release(a.Cost);
    }

    private QuotaDecision Admit(in Attempt a, in QuotaStoreResult taken, string? detail)
    {
        var decision = new QuotaDecision(true, QuotaReason.None, DegradationMode.Full, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, taken.Remaining, retryAfter: null, a.Policy.Version, detail);
        if (!WriteAudit(a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, AuditDecision.Admitted, actualCost: null, a.Policy.Version, detail) && _requireAudit)
        {
            Undo(a);
            decision = new QuotaDecision(false, QuotaReason.AuditUnavailable, DegradationMode.Rejected, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
                a.Cost, taken.Remaining + a.Cost, retryAfter: null, a.Policy.Version, "The audit sink refused the record.");
        }

        _metrics.RecordDecision(decision, a.WorkloadClass);
        return decision;
    }

    private QuotaDecision DenyUnapproved(in Attempt a, in QuotaStoreResult taken, ApprovalDecision approval)
    {
        QuotaReason reason = approval.Status == ApprovalStatus.Denied ? QuotaReason.ApprovalDenied : QuotaReason.ApprovalRequired;
        string detail = approval.Status == ApprovalStatus.Denied && approval.Approver is not null
            ? $"Refused by {approval.Approver}: {approval.Reason}"
            : approval.Reason ?? "approval required";
        var untaken = new QuotaStoreResult(QuotaStoreOutcome.Admitted, taken.Remaining + a.Cost);
        return Deny(a, reason, untaken, detail);
    }

    private QuotaDecision Deny(in Attempt a, QuotaReason reason, QuotaStoreResult? store, string? detail)
    {
        DegradationMode mode = DenialMode(a.Policy, a.Tool, reason);
        double remaining = store?.Remaining ?? double.NaN;
        var decision = new QuotaDecision(false, reason, mode, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, remaining, store?.RetryAfter, a.Policy.Version, detail);
        AuditDecision kind = mode is DegradationMode.DraftOnly or DegradationMode.ApprovalRequired ? AuditDecision.Degraded : AuditDecision.Denied;
        WriteAudit(a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, kind, actualCost: null, a.Policy.Version, detail);
        _metrics.RecordDecision(decision, a.WorkloadClass);
        Log.Denied(_logger, a.Tool.Name, a.Identity.Tenant, a.Tool.Category, reason);
        return decision;
    }

    // Which rung serves a refused call: the fallback (a draft) when the tool has one and the ladder
    // allows it; otherwise a pending approval is reported as such; otherwise nothing serves it.
    // Configuration problems never degrade: a draft would hide them.
    private static DegradationMode DenialMode(QuotaPolicy policy, QuotaTool tool, QuotaReason reason)
    {
        bool configurationProblem = reason is QuotaReason.UnknownTenant or QuotaReason.UnknownCategory or QuotaReason.AuditUnavailable;
        if (!configurationProblem && tool.HasFallback && policy.Allows(DegradationMode.DraftOnly))
        {
            return DegradationMode.DraftOnly;
        }

        if (reason == QuotaReason.ApprovalRequired && policy.Allows(DegradationMode.ApprovalRequired))
        {
            return DegradationMode.ApprovalRequired;
        }

        return DegradationMode.Rejected;
    }

    private static QuotaReason ToReason(QuotaStoreOutcome outcome) => outcome switch
    {
        QuotaStoreOutcome.BucketExhausted => QuotaReason.BucketExhausted,
        QuotaStoreOutcome.CostExceedsCapacity => QuotaReason.CostExceedsCapacity,
        QuotaStoreOutcome.DailyCeilingReached => QuotaReason.DailyCostLimit,
        QuotaStoreOutcome.MonthlyCeilingReached => QuotaReason.MonthlyCostLimit,
        QuotaStoreOutcome.Unavailable => QuotaReason.StoreUnavailable,
        _ => QuotaReason.None,
    };

    private QuotaDecision RecordIteration(AgentRun run, QuotaPolicy policy, bool admitted, QuotaReason reason, string? detail)
    {
        var decision = new QuotaDecision(admitted, reason, admitted ? DegradationMode.Full : DegradationMode.Rejected, run.Identity.Tenant, RunCategory,
            IterationTool, 0, double.NaN, retryAfter: null, policy.Version, detail);
        WriteAudit(run, run.Identity, run.WorkloadClass, run.Workflow, decision, admitted ? AuditDecision.Admitted : AuditDecision.Denied, actualCost: null, policy.Version, detail);
        return decision;
    }

    private bool WriteAudit(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, in QuotaDecision decision,
        AuditDecision kind, double? actualCost, string policyVersion, string? detail)
    {
        var record = new QuotaAuditRecord
        {
            Timestamp = TimeProvider.GetUtcNow(),
            Tenant = identity.Tenant,
            Principal = identity.Principal,
            Workflow = workflow,
            RunId = run?.Id,
            WorkloadClass = workloadClass,
            Tool = decision.Tool,
            Category = decision.Category,
            PlannedCost = decision.Cost,
            ActualCost = actualCost,
            Decision = kind,
            Reason = decision.Reason,
            Mode = decision.Mode,
            QueueWait = TimeSpan.Zero,
            PolicyVersion = policyVersion,
            Detail = detail,
        };
        return _audit.TryWrite(record);
    }

    private ApprovalRequest CreateApprovalRequest(in Attempt a) =>
        new(a.Identity, a.WorkloadClass, a.Workflow, a.Run?.Id, a.Tool, a.Cost, a.Policy.Version, TimeProvider.GetUtcNow());

    private static QuotaTicket ToTicket(in Attempt a, in QuotaDecision decision)
    {
        Activity? activity = null;
        if (decision.IsAdmitted && QuotaTelemetry.ActivitySource.HasListeners())
        {
            activity = QuotaTelemetry.ActivitySource.StartActivity("agentquotas.tool");
            if (activity is not null)
            {
                activity.SetTag(QuotaTelemetry.Tags.Tool, a.Tool.Name);
                activity.SetTag(QuotaTelemetry.Tags.Category, a.Tool.Category);
                activity.SetTag(QuotaTelemetry.Tags.Tenant, a.Identity.Tenant);
                activity.SetTag(QuotaTelemetry.Tags.Class, a.WorkloadClass.ToString());
                activity.SetTag(QuotaTelemetry.Tags.PolicyVersion, decision.PolicyVersion);
                activity.SetTag("agentquotas.cost.planned", decision.Cost);
            }
        }

        return new QuotaTicket(a.Run!, a.Tool, a.Budget, decision, activity);
    }

    private static async ValueTask<QuotaTicket> AwaitTicketAsync(ValueTask<QuotaDecision> pending, Attempt attempt) =>
        ToTicket(attempt, await pending.ConfigureAwait(false));

    /// <summary>Everything one decision needs, resolved once against one policy snapshot.</summary>
    [StructLayout(LayoutKind.Auto)]
    private readonly struct Attempt
    {
        public Attempt(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaTool tool, double cost,
            QuotaPolicy policy, TierPolicy? tier, CategoryBudget? budget)
        {
            Run = run;
            Identity = identity;
            WorkloadClass = workloadClass;
            Workflow = workflow;
            Tool = tool;
            Cost = cost;
            Policy = policy;
            Tier = tier;
            Budget = budget;
        }

        public AgentRun? Run { get; }

        public AgentIdentity Identity { get; }

        public WorkloadClass WorkloadClass { get; }

        public string? Workflow { get; }

        public QuotaTool Tool { get; }

        public double Cost { get; }

        public QuotaPolicy Policy { get; }

        public TierPolicy? Tier { get; }

        public CategoryBudget? Budget { get; }

        public QuotaStoreRequest StoreRequest() => new(
            new BucketKey(Identity.Tenant, Tool.Category),
            Budget!.Limits,
            Cost,
            Tier!.AllowsEmergency(WorkloadClass),
            Tier.Limits.MaxCostPerDay,
            Tier.Limits.MaxCostPerMonth);
    }
}
