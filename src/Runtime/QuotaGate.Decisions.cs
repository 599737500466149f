using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Scheduling;
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
// Scheduling wraps steps 3 and 4: the category's circuit breaker is asked first; step 3 goes through the
// bucket's priority queue when the bucket is contended (or reserved shares need accounting) and may wait
// there on the async path; a compute-pool slot is then taken (or waited for) before approval; the slot
// is held until the ticket is completed or failed. See docs/scheduling.md.
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
        ValueTask<Admission> pending = DecideAsync(attempt, cancellationToken);
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
        long timestamp = _clock.Timestamp();
        string tenant = run.Identity.Tenant;
        if (global::AgentQuotas.Trust.Revocation.Check(policy, _revocations, run.Identity) is string revoked) // issue 16, check revocation
        {
            return RecordIteration(timestamp, run, policy, admitted: false, QuotaReason.Revoked, revoked);
        }

        if (!policy.TryResolveTier(tenant, out TierPolicy? tier))
        {
            return RecordIteration(timestamp, run, policy, admitted: false, QuotaReason.UnknownTenant, detail: null);
        }

        if (run.FindExpired(timestamp) is AgentRun expired)
        {
            return RecordIteration(timestamp, run, policy, admitted: false, QuotaReason.RunDeadlineExceeded, expired.Describe() + " is past its deadline.");
        }

        if (!run.TryCountIteration(tier.Limits, out _))
        {
            return RecordIteration(timestamp, run, policy, admitted: false, QuotaReason.RunIterationLimit, run.DescribeCaps(tier.Limits, QuotaReason.RunIterationLimit));
        }

        _metrics.RecordIteration(tenant, run.WorkloadClass);
        return RecordIteration(timestamp, run, policy, admitted: true, QuotaReason.None, detail: null);
    }

    internal void Complete(in QuotaTicket ticket, double? actualCost)
    {
        QuotaDecision d = ticket.Decision;
        if (actualCost is double actual)
        {
            // Validated by the ticket before it settled.
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
        ReleasePool(ticket.Lease);
        _breakers.OnSuccess(d.Category);
        if (actualCost is double reported && reported != d.Cost)
        {
            ObserveSpend(ticket.Run, ticket.Run.Identity, ticket.Run.WorkloadClass, ticket.Run.Workflow, _provider.Current, reported - d.Cost);
        }

        WriteAudit(_clock.Timestamp(), ticket.Run, ticket.Run.Identity, ticket.Run.WorkloadClass, ticket.Run.Workflow, d, AuditDecision.Completed, actualCost ?? d.Cost, d.PolicyVersion, detail: null);
    }

    internal void Fail(in QuotaTicket ticket, Exception? exception)
    {
        QuotaDecision d = ticket.Decision;
        if (ticket.Activity is Activity activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception?.Message);
            activity.Dispose();
        }

        ReleasePool(ticket.Lease);
        _breakers.OnFailure(d.Category, _provider.Current.CircuitBreakers, exception);
        string detail = exception is null ? "the call failed" : exception.GetType().Name + ": " + exception.Message;
        WriteAudit(_clock.Timestamp(), ticket.Run, ticket.Run.Identity, ticket.Run.WorkloadClass, ticket.Run.Workflow, d, AuditDecision.Failed, actualCost: null, d.PolicyVersion, detail);
    }

    private Attempt CreateAttempt(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaTool tool, double cost)
    {
        ArgumentNullException.ThrowIfNull(identity);
        QuotaPolicy policy = _provider.Current;
        TierPolicy? tier = null;
        CategoryBudget? budget = null;
        bool quarantined = false;
        if (policy.Anomaly?.QuarantineTier is string quarantine && _anomalies.IsFlagged(identity.Tenant) && policy.Tiers.TryGetValue(quarantine, out tier))
        {
            quarantined = true;
            tier.TryGetBudget(tool.Category, out budget);
        }
        else if (policy.TryResolveTier(identity.Tenant, out tier))
        {
            tier.TryGetBudget(tool.Category, out budget);
        }

        return new Attempt(run, identity, workloadClass, workflow, tool, cost, policy, tier, budget, quarantined, probe: false, _clock.Timestamp());
    }

    // The synchronous pipeline: never waits (a full queue or pool is a denial with RetryAfter).
    private Admission Decide(Attempt a)
    {
        if (!EnterBreaker(ref a, out QuotaDecision refused) || !TryReserveRun(a, out refused))
        {
            return new Admission(refused);
        }

        QuotaStoreResult taken;
        try
        {
            if (!TakeNow(a, out taken, out refused))
            {
                return new Admission(refused);
            }
        }
        catch
        {
            Abandon(a);
            throw;
        }

        PoolLease lease = default;
        if (UsesPools(a))
        {
            PoolEntry pool = _pools.Enter(a.WorkloadClass, a.Identity.Tenant, a.Policy.Schedule, QueueLimit(a), canWait: false, TimeSpan.Zero, CancellationToken.None);
            if (pool.Kind != PoolEntryKind.Granted)
            {
                Undo(a);
                return new Admission(Deny(a, pool.Reason, Untaken(taken, a), pool.Detail, pool.RetryAfter));
            }

            lease = pool.Lease;
        }

        if (a.Tool.RequiresApproval)
        {
            ApprovalDecision approval = RequestApprovalSynchronously(a);
            a = a.At(_clock.Timestamp()); // a synchronous approval service may take its time
            if (approval.Status != ApprovalStatus.Approved)
            {
                ReleasePool(lease);
                Undo(a);
                return new Admission(DenyUnapproved(a, taken, approval, TimeSpan.Zero));
            }

            return Admit(a, taken, "approved by " + approval.Approver, lease, TimeSpan.Zero, queued: false);
        }

        return Admit(a, taken, taken.Detail, lease, TimeSpan.Zero, queued: false);
    }

    // Takes the cost now, through the bucket's queue when it has one (or when reserved shares need the
    // accounting). On refusal the run reservation is released and the denial recorded.
    private bool TakeNow(in Attempt a, out QuotaStoreResult taken, out QuotaDecision refused)
    {
        refused = default;
        if (!a.Policy.HasReservedShares && _memoryStore is InMemoryQuotaStore memory && !_buckets.TryGet(a.Key, out _))
        {
            taken = TakeFromMemory(memory, a);
        }
        else if (!TakeThroughStore(a, out taken, out refused))
        {
            return false;
        }

        if (taken.IsAdmitted)
        {
            return true;
        }

        a.Run?.Release(a.Cost);
        refused = Deny(a, ToReason(taken.Outcome), taken, taken.Detail);
        return false;
    }

    // The in-memory store on the gate's clock decides with the decision's timestamp: one clock read per decision.
    private static QuotaStoreResult TakeFromMemory(InMemoryQuotaStore memory, in Attempt a)
    {
        AgentRun? run = a.Run;
        TokenBucketState? bucket = run?.BucketHint(a.Tool.Category);
        TierLimits limits = a.Tier!.Limits;
        QuotaStoreResult taken = memory.Acquire(a.Key, a.Budget!.Limits, a.Cost, a.Tier.AllowsEmergency(a.WorkloadClass), limits.MaxCostPerDay, limits.MaxCostPerMonth,
            ref bucket, memory.ToTicks(a.Timestamp));
        if (run is not null && bucket is not null)
        {
            run.RememberBucket(bucket);
        }

        return taken;
    }

    // Through the bucket's queue when it has one (or reserved shares need the accounting), else the store.
    // False with the refusal when the queue decided it.
    private bool TakeThroughStore(in Attempt a, out QuotaStoreResult taken, out QuotaDecision refused)
    {
        QuotaStoreRequest request = a.StoreRequest();
        refused = default;
        if (a.Policy.HasReservedShares || _buckets.TryGet(request.Key, out _))
        {
            BucketEntry entry = _buckets.Enter(request.Key, Arrival(a, request, canWait: false));
            taken = entry.Taken;
            if (entry.Kind == BucketEntryKind.Admitted)
            {
                return true;
            }

            a.Run?.Release(a.Cost);
            refused = entry.Kind == BucketEntryKind.Rejected
                ? Deny(a, entry.Reason, taken, entry.Detail, entry.RetryAfter)
                : Deny(a, ToReason(taken.Outcome), taken, entry.Detail ?? taken.Detail);
            return false;
        }

        taken = _store.TryAcquire(request);
        return true;
    }

    private ValueTask<Admission> DecideAsync(Attempt a, CancellationToken cancellationToken)
    {
        if (!EnterBreaker(ref a, out QuotaDecision refused) || !TryReserveRun(a, out refused))
        {
            return new ValueTask<Admission>(new Admission(refused));
        }

        if (a.Policy.HasReservedShares || _buckets.TryGet(a.Key, out _))
        {
            return DecideSlowAsync(a, taking: null, cancellationToken);
        }

        // The fast path: an uncontended bucket, no pool, no approval. Allocation-free when the store
        // answers synchronously.
        ValueTask<QuotaStoreResult> taking;
        try
        {
            taking = _memoryStore is InMemoryQuotaStore memory
                ? new ValueTask<QuotaStoreResult>(TakeFromMemory(memory, a))
                : _store.TryAcquireAsync(a.StoreRequest(), cancellationToken);
        }
        catch
        {
            Abandon(a);
            throw;
        }

        if (taking.IsCompletedSuccessfully)
        {
            QuotaStoreResult taken = taking.Result;
            if (taken.IsAdmitted)
            {
                if (!a.Tool.RequiresApproval && !UsesPools(a))
                {
                    return new ValueTask<Admission>(Admit(a, taken, taken.Detail, default, TimeSpan.Zero, queued: false));
                }
            }
            else if (!MayQueueFor(a, taken))
            {
                a.Run?.Release(a.Cost);
                return new ValueTask<Admission>(new Admission(Deny(a, ToReason(taken.Outcome), taken, taken.Detail)));
            }
        }

        return DecideSlowAsync(a, taking, cancellationToken);
    }

    // The path that may wait: a contended bucket (the priority queue), a compute pool, a remote store,
    // or an approval service.
    private async ValueTask<Admission> DecideSlowAsync(Attempt a, ValueTask<QuotaStoreResult>? taking, CancellationToken cancellationToken)
    {
        QuotaStoreResult taken = default;
        TimeSpan waited = TimeSpan.Zero;
        bool queued = false;
        bool haveUnits = false;
        bool released = false;
        try
        {
            if (taking is ValueTask<QuotaStoreResult> pending)
            {
                taken = await pending.ConfigureAwait(false);
                a = a.At(_clock.Timestamp());
                haveUnits = taken.IsAdmitted;
                if (!haveUnits && !MayQueueFor(a, taken))
                {
                    a.Run?.Release(a.Cost);
                    return new Admission(Deny(a, ToReason(taken.Outcome), taken, taken.Detail));
                }
            }

            if (!haveUnits)
            {
                QuotaStoreRequest request = a.StoreRequest();
                BucketEntry entry = await _buckets.EnterAsync(request.Key, Arrival(a, request, canWait: MayWait(a)), cancellationToken).ConfigureAwait(false);
                a = a.At(_clock.Timestamp());
                switch (entry.Kind)
                {
                    case BucketEntryKind.Admitted:
                        taken = entry.Taken;
                        break;

                    case BucketEntryKind.Refused:
                        a.Run?.Release(a.Cost);
                        return new Admission(Deny(a, ToReason(entry.Taken.Outcome), entry.Taken, entry.Detail ?? entry.Taken.Detail));

                    case BucketEntryKind.Rejected:
                        a.Run?.Release(a.Cost);
                        return new Admission(Deny(a, entry.Reason, entry.Taken, entry.Detail, entry.RetryAfter));

                    default:
                        RecordQueued(a, QuotaReason.BucketExhausted, "waiting for units of '" + request.Key + "'");
                        WaitResult wait;
                        try
                        {
                            wait = await entry.Waiter!.Task.ConfigureAwait(false);
                            a = a.At(_clock.Timestamp());
                        }
                        catch (OperationCanceledException)
                        {
                            a.Run?.Release(a.Cost);
                            released = true;
                            RecordCancelled(a.At(_clock.Timestamp()), TimeSpan.FromTicks(_buckets.Now() - entry.Waiter!.EnqueuedAt));
                            throw;
                        }

                        waited += wait.Waited;
                        queued = true;
                        if (wait.Status != WaitStatus.Granted)
                        {
                            a.Run?.Release(a.Cost);
                            return wait.Status == WaitStatus.TimedOut
                                ? new Admission(Deny(a, QuotaReason.QueueTimeout, wait.Taken, wait.Detail, wait.RetryAfter, waited))
                                : new Admission(Deny(a, ToReason(wait.Taken.Outcome), wait.Taken, wait.Detail, wait.RetryAfter, waited));
                        }

                        taken = wait.Taken;
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Abandon(a, releaseRun: !released);
            throw;
        }
        catch
        {
            Abandon(a);
            throw;
        }

        // The units are taken; anything refused from here on gives them back.
        PoolLease lease = default;
        if (UsesPools(a))
        {
            PoolEntry pool = _pools.Enter(a.WorkloadClass, a.Identity.Tenant, a.Policy.Schedule, QueueLimit(a), canWait: MayWait(a), waited, cancellationToken);
            if (pool.Kind == PoolEntryKind.Rejected)
            {
                await UndoAsync(a).ConfigureAwait(false);
                return new Admission(Deny(a, pool.Reason, Untaken(taken, a), pool.Detail, pool.RetryAfter, waited));
            }

            lease = pool.Lease;
            if (pool.Kind == PoolEntryKind.Waiting)
            {
                RecordQueued(a, QuotaReason.PoolExhausted, "waiting for a compute-pool slot");
                WaitResult wait;
                try
                {
                    wait = await pool.Waiter!.Task.ConfigureAwait(false);
                    a = a.At(_clock.Timestamp());
                }
                catch (OperationCanceledException)
                {
                    await UndoAsync(a).ConfigureAwait(false);
                    RecordCancelled(a.At(_clock.Timestamp()), waited + TimeSpan.FromTicks(_buckets.Now() - pool.Waiter!.EnqueuedAt));
                    throw;
                }

                waited += wait.Waited;
                queued = true;
                if (wait.Status != WaitStatus.Granted)
                {
                    await UndoAsync(a).ConfigureAwait(false);
                    return new Admission(Deny(a, QuotaReason.QueueTimeout, Untaken(taken, a), wait.Detail, wait.RetryAfter, waited));
                }

                lease = wait.Lease;
            }
        }

        if (!a.Tool.RequiresApproval)
        {
            return Admit(a, taken, taken.Detail, lease, waited, queued);
        }

        ApprovalDecision approval;
        try
        {
            approval = await RequestApprovalBoundedAsync(a, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ReleasePool(lease);
            await UndoAsync(a).ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
        {
            Log.ApprovalServiceFailed(_logger, e, a.Tool.Name, a.Identity.Tenant);
            approval = ApprovalDecision.Pending("the approval service failed (" + e.GetType().Name + "); the call is not approved");
        }

        a = a.At(_clock.Timestamp());
        if (approval.Status != ApprovalStatus.Approved)
        {
            ReleasePool(lease);
            await UndoAsync(a).ConfigureAwait(false);
            return new Admission(DenyUnapproved(a, taken, approval, waited));
        }

        return Admit(a, taken, "approved by " + approval.Approver, lease, waited, queued);
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
        // issue 16, check revocation: a revoked tenant or principal is refused before anything is reserved (Trust/Revocation.cs).
        if (global::AgentQuotas.Trust.Revocation.Check(a.Policy, _revocations, a.Identity) is string revoked)
        {
            refused = Deny(a, QuotaReason.Revoked, store: null, revoked);
            return false;
        }

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
            if (run.FindExpired(a.Timestamp) is AgentRun expired)
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

    // A failure (exception) before anything was taken: release the run's reservation and any probe.
    private void Abandon(in Attempt a, bool releaseRun = true)
    {
        if (releaseRun)
        {
            a.Run?.Release(a.Cost);
        }

        if (a.Probe)
        {
            _breakers.CancelProbe(a.Tool.Category);
        }
    }

    private Admission Admit(in Attempt a, in QuotaStoreResult taken, string? detail, PoolLease lease, TimeSpan waited, bool queued)
    {
        // issue 16, acquire principal bucket: the principal's own bucket and daily ceiling, once the tenant's units are taken (Trust/PrincipalLimits.cs).
        if (global::AgentQuotas.Trust.PrincipalLimits.TryTake(_store, a.Tier!, a.Budget!, a.Identity, a.Cost) is { } principal)
        {
            ReleasePool(lease);
            Undo(a);
            return new Admission(Deny(a, principal.Reason, principal.Store, principal.Detail, principal.Store.RetryAfter, waited));
        }

        DegradationMode mode = DegradationMode.Full;
        if (queued)
        {
            mode = DegradationMode.Queued;
            detail = string.Format(CultureInfo.InvariantCulture, "Served after waiting {0} in the {1} queue{2}.{3}",
                QuotaMessages.FormatDuration(waited), a.WorkloadClass, lease.IsHeld ? " (pool '" + lease.PoolName + "')" : string.Empty,
                detail is null ? string.Empty : " " + detail);
        }

        var decision = new QuotaDecision(true, QuotaReason.None, mode, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, taken.Remaining, retryAfter: null, a.Policy.Version, detail, a.Policy.ContentHash);
        if (!WriteAudit(a.Timestamp, a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, AuditDecision.Admitted, actualCost: null, a.Policy.Version, detail, waited) && _requireAudit)
        {
            ReleasePool(lease);
            lease = default;
            Undo(a);
            global::AgentQuotas.Trust.PrincipalLimits.Refund(_store, a.Tier!, a.Budget!, a.Identity, a.Cost); // issue 16
            decision = new QuotaDecision(false, QuotaReason.AuditUnavailable, DegradationMode.Rejected, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
                a.Cost, taken.Remaining + a.Cost, retryAfter: null, a.Policy.Version, "The audit sink refused the record.", a.Policy.ContentHash);
            Abandon(a, releaseRun: false);
        }

        _metrics.RecordDecision(decision, a.WorkloadClass);
        if (queued)
        {
            _metrics.RecordQueueWait(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, waited, decision.IsAdmitted ? "granted" : "refused");
        }

        if (decision.IsAdmitted && a.Policy.Anomaly is not null)
        {
            ObserveSpend(a.Run, a.Identity, a.WorkloadClass, a.Workflow, a.Policy, a.Cost);
        }

        return new Admission(decision, lease);
    }

    private QuotaDecision DenyUnapproved(in Attempt a, in QuotaStoreResult taken, ApprovalDecision approval, TimeSpan waited)
    {
        QuotaReason reason = approval.Status == ApprovalStatus.Denied ? QuotaReason.ApprovalDenied : QuotaReason.ApprovalRequired;
        string detail = approval.Status == ApprovalStatus.Denied && approval.Approver is not null
            ? $"Refused by {approval.Approver}: {approval.Reason}"
            : approval.Reason ?? "approval required";
        return Deny(a, reason, Untaken(taken, a), detail, queueWait: waited);
    }

    private static QuotaStoreResult Untaken(in QuotaStoreResult taken, in Attempt a) =>
        new(QuotaStoreOutcome.Admitted, taken.Remaining + a.Cost);

    private QuotaDecision Deny(in Attempt a, QuotaReason reason, QuotaStoreResult? store, string? detail, TimeSpan? retryAfter = null, TimeSpan queueWait = default)
    {
        if (a.Probe)
        {
            _breakers.CancelProbe(a.Tool.Category);
        }

        if (a.Quarantined && reason is QuotaReason.BucketExhausted or QuotaReason.CostExceedsCapacity or QuotaReason.DailyCostLimit
            or QuotaReason.MonthlyCostLimit or QuotaReason.UnknownCategory or QuotaReason.RunCostLimit)
        {
            detail = string.Format(CultureInfo.InvariantCulture, "Tenant '{0}' runs under tier '{1}' after a spend anomaly ({2}{3}); clear it with gate.Anomalies.Clear once reviewed.",
                a.Identity.Tenant, a.Tier!.Name, reason, detail is null ? string.Empty : ": " + detail);
            reason = QuotaReason.AnomalyQuarantine;
        }

        DegradationMode mode = DenialMode(a.Policy, a.Tool, reason);
        double remaining = store?.Remaining ?? double.NaN;
        var decision = new QuotaDecision(false, reason, mode, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, remaining, retryAfter ?? store?.RetryAfter, a.Policy.Version, detail, a.Policy.ContentHash);
        AuditDecision kind = mode is DegradationMode.DraftOnly or DegradationMode.ApprovalRequired ? AuditDecision.Degraded : AuditDecision.Denied;
        WriteAudit(a.Timestamp, a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, kind, actualCost: null, a.Policy.Version, detail, queueWait);
        _metrics.RecordDecision(decision, a.WorkloadClass);
        if (queueWait > TimeSpan.Zero)
        {
            _metrics.RecordQueueWait(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, queueWait, reason == QuotaReason.QueueTimeout ? "timeout" : "refused");
        }

        Log.Denied(_logger, a.Tool.Name, a.Identity.Tenant, a.Tool.Category, reason);
        return decision;
    }

    // Which rung serves a refused call: the fallback (a draft) when the tool has one and the ladder
    // allows it; otherwise a pending approval is reported as such; otherwise nothing serves it.
    // Configuration problems never degrade: a draft would hide them.
    private static DegradationMode DenialMode(QuotaPolicy policy, QuotaTool tool, QuotaReason reason)
    {
        bool configurationProblem = reason is QuotaReason.UnknownTenant or QuotaReason.UnknownCategory or QuotaReason.AuditUnavailable
            or QuotaReason.Revoked; // issue 16: a revoked identity gets no draft either
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

    private QuotaDecision RecordIteration(long timestamp, AgentRun run, QuotaPolicy policy, bool admitted, QuotaReason reason, string? detail)
    {
        var decision = new QuotaDecision(admitted, reason, admitted ? DegradationMode.Full : DegradationMode.Rejected, run.Identity.Tenant, RunCategory,
            IterationTool, 0, double.NaN, retryAfter: null, policy.Version, detail, policy.ContentHash);
        WriteAudit(timestamp, run, run.Identity, run.WorkloadClass, run.Workflow, decision, admitted ? AuditDecision.Admitted : AuditDecision.Denied, actualCost: null, policy.Version, detail);
        return decision;
    }

    private bool WriteAudit(long timestamp, AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, in QuotaDecision decision,
        AuditDecision kind, double? actualCost, string policyVersion, string? detail, TimeSpan queueWait = default)
    {
        var record = new QuotaAuditRecord
        {
            Timestamp = _clock.UtcAt(timestamp),
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
            QueueWait = queueWait,
            PolicyVersion = policyVersion,
            PolicyHash = decision.PolicyHash, // issue 16: every record names the policy content that decided
            Detail = detail,
        };
        return _audit.TryWrite(record);
    }

    private ApprovalRequest CreateApprovalRequest(in Attempt a) =>
        new(a.Identity, a.WorkloadClass, a.Workflow, a.Run?.Id, a.Tool, a.Cost, a.Policy.Version, TimeProvider.GetUtcNow());

    private static QuotaTicket ToTicket(in Attempt a, in Admission admission)
    {
        QuotaDecision decision = admission.Decision;
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

        return new QuotaTicket(a.Run!, a.Tool, a.Budget, decision, activity, admission.Lease);
    }

    private static async ValueTask<QuotaTicket> AwaitTicketAsync(ValueTask<Admission> pending, Attempt attempt) =>
        ToTicket(attempt, await pending.ConfigureAwait(false));

    /// <summary>Everything one decision needs, resolved once against one policy snapshot.</summary>
    [StructLayout(LayoutKind.Auto)]
    private readonly struct Attempt
    {
        public Attempt(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaTool tool, double cost,
            QuotaPolicy policy, TierPolicy? tier, CategoryBudget? budget, bool quarantined, bool probe, long timestamp)
        {
            Timestamp = timestamp;
            Quarantined = quarantined;
            Probe = probe;
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

        /// <summary>Whether the tenant runs under the anomaly policy's quarantine tier.</summary>
        public bool Quarantined { get; }

        /// <summary>Whether this call is its half-open circuit breaker's probe.</summary>
        public bool Probe { get; }

        /// <summary>
        /// When the decision is made (the provider's monotonic timestamp): read once and used for the run's
        /// deadline, the bucket and the audit record. Refreshed after anything that waits.
        /// </summary>
        public long Timestamp { get; }

        /// <summary>Whether the class may borrow below empty in this bucket (it then need not leave other classes' reserves).</summary>
        public bool MayBorrow => Tier!.AllowsEmergency(WorkloadClass) && Budget!.Limits.EmergencyDebt > 0;

        public Attempt AsProbe() => new(Run, Identity, WorkloadClass, Workflow, Tool, Cost, Policy, Tier, Budget, Quarantined, probe: true, Timestamp);

        public Attempt At(long timestamp) => new(Run, Identity, WorkloadClass, Workflow, Tool, Cost, Policy, Tier, Budget, Quarantined, Probe, timestamp);

        public BucketKey Key => new(Identity.Tenant, Tool.Category);

        public QuotaStoreRequest StoreRequest() => new(
            new BucketKey(Identity.Tenant, Tool.Category),
            Budget!.Limits,
            Cost,
            Tier!.AllowsEmergency(WorkloadClass),
            Tier.Limits.MaxCostPerDay,
            Tier.Limits.MaxCostPerMonth);
    }
}
