using AgentQuotas.Audit;
using AgentQuotas.Policy;

namespace AgentQuotas.Pipeline;

// The decision pipeline, composed once. Order matters:
//   1. resolve tier and budget (revoked tenant or principal, unknown tenant or category: refuse, fail closed);
//   2. the category's circuit breaker;
//   3. run caps: deadline, then reserve one tool call and the cost in the run and its ancestors;
//   4. the units, from the bucket (through its priority queue when it has one), then from the principal's own
//      bucket and daily ceiling when the tier has a principal block (issue 16);
//   5. a compute-pool slot;
//   6. approval, asked only when the call could run;
//   7. record (audit, metrics), then observe the spend for the anomaly policy.
// A refused attempt gives back what steps 2-6 took (the principal's units too), once (Undo), and is recorded.
// Step 4b calls the store's asynchronous API on the asynchronous entry, and its undo there does too.
// The synchronous entry runs the same core with canWait false (a full queue or pool is then a refusal with RetryAfter); the asynchronous
// entry runs it with canWait true and, when a step hands back something to wait for, awaits it and resumes
// the core at the step after. Model turns and token usage go through steps 1, 3, 4 and 7 (DecisionPipeline.Turns.cs).
internal sealed partial class DecisionPipeline
{
    private readonly QuotaPolicyProvider _provider;
    private readonly AuditClock _clock;
    private readonly bool _requireAudit;
    private readonly ResolveStep _resolve;
    private readonly BreakerStep _breaker;
    private readonly BucketStep _bucket;
    private readonly PrincipalStep _principal;
    private readonly PoolStep _pool;
    private readonly ApprovalStep _approval;
    private readonly RecordStep _record;
    private readonly AnomalyStep _anomaly;

    public DecisionPipeline(QuotaPolicyProvider provider, AuditClock clock, bool requireAudit, ResolveStep resolve, BreakerStep breaker,
        BucketStep bucket, PrincipalStep principal, PoolStep pool, ApprovalStep approval, RecordStep record, AnomalyStep anomaly)
    {
        _provider = provider;
        _clock = clock;
        _requireAudit = requireAudit;
        _resolve = resolve;
        _breaker = breaker;
        _bucket = bucket;
        _principal = principal;
        _pool = pool;
        _approval = approval;
        _record = record;
        _anomaly = anomaly;
    }

    /// <summary>
    /// Starts an attempt against the policy in force now, at now on the audit clock. The store's hints are the run's;
    /// outside a run, the identity's (<see cref="AgentIdentity.HintsOutsideRun"/>).
    /// </summary>
    public Attempt Begin(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaTool tool, double cost, ApprovalBinding binding = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var a = new Attempt(run, identity, workloadClass, workflow, tool, cost, _provider.Current, _clock.Timestamp(), binding, run is null ? identity.HintsOutsideRun() : null);
        _resolve.Resolve(ref a);
        return a;
    }

    /// <summary>Decides synchronously: never waits.</summary>
    public Admission Decide(ref Attempt a)
    {
        Pending pending = default;
        Flow flow;
        Refusal refusal = default;
        try
        {
            flow = Advance(ref a, canWait: false, ref pending, CancellationToken.None, ref refusal);
        }
        catch
        {
            _ = Undo(ref a, synchronous: true);
            throw;
        }

        return flow == Flow.Next ? Admit(ref a) : Refuse(ref a, in refusal, synchronous: true, out _);
    }

    /// <summary>Decides, waiting where the steps may (queues, pools, a remote store, the approval service).</summary>
    public ValueTask<Admission> DecideAsync(ref Attempt a, CancellationToken cancellationToken)
    {
        Pending pending = default;
        Flow flow;
        Refusal refusal = default;
        try
        {
            flow = Advance(ref a, canWait: true, ref pending, cancellationToken, ref refusal);
        }
        catch
        {
            _ = Undo(ref a, synchronous: true);
            throw;
        }

        if (flow == Flow.Next)
        {
            return new ValueTask<Admission>(Admit(ref a));
        }

        if (flow == Flow.Refused)
        {
            Admission refused = Refuse(ref a, in refusal, synchronous: false, out ValueTask undone);
            return undone.IsCompletedSuccessfully ? new ValueTask<Admission>(refused) : AfterUndoAsync(undone, refused);
        }

        return WaitAsync(a, pending, cancellationToken);
    }

    /// <summary>
    /// Gives back everything the attempt holds (pool slot, the principal's and the tenant's units, run reservation or iteration, breaker probe),
    /// each at most once: the undo of a refused attempt, written once.
    /// </summary>
    public ValueTask Undo(ref Attempt a, bool synchronous)
    {
        _pool.Release(ref a);
        ValueTask principal = _principal.GiveBack(ref a, synchronous);
        ValueTask units = _bucket.GiveBack(ref a, synchronous);
        RunCapsStep.Release(ref a);
        _breaker.Release(ref a);
        return principal.IsCompletedSuccessfully ? units : BothAsync(principal, units);
    }

    // Both give-backs of the asynchronous undo, awaited in turn (each was started already).
    private static async ValueTask BothAsync(ValueTask principal, ValueTask units)
    {
        try
        {
            await principal.ConfigureAwait(false);
        }
        finally
        {
            await units.ConfigureAwait(false);
        }
    }

    // Runs the steps from where the attempt is until it is decided or has to wait.
    private Flow Advance(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal)
    {
        Flow flow = Flow.Next;
        switch (a.Stage)
        {
            case Stage.Resolve:
                if ((flow = ResolveStep.Check(in a, withBudget: true, ref refusal)) != Flow.Next)
                {
                    return flow;
                }

                a.Stage = Stage.Breaker;
                goto case Stage.Breaker;

            case Stage.Breaker:
                if ((flow = _breaker.Enter(ref a, ref refusal)) != Flow.Next)
                {
                    return flow;
                }

                a.Stage = Stage.RunCaps;
                goto case Stage.RunCaps;

            case Stage.RunCaps:
                if ((flow = RunCapsStep.Reserve(ref a, ref refusal)) != Flow.Next)
                {
                    return flow;
                }

                a.Stage = Stage.Bucket;
                if ((flow = _bucket.Take(ref a, canWait, ref pending, cancellationToken, ref refusal)) != Flow.Next)
                {
                    return flow;
                }

                goto case Stage.Principal;

            case Stage.Principal:
                a.Stage = Stage.Principal;
                if ((flow = _principal.Take(ref a, canWait, ref pending, cancellationToken, ref refusal)) != Flow.Next)
                {
                    return flow;
                }

                goto case Stage.Pool;

            case Stage.Pool:
                a.Stage = Stage.Pool;
                if ((flow = _pool.Enter(ref a, canWait, ref pending, cancellationToken, ref refusal)) != Flow.Next)
                {
                    return flow;
                }

                goto case Stage.Approval;

            case Stage.Approval:
                a.Stage = Stage.Approval;
                if ((flow = _approval.Ask(ref a, canWait, ref pending, cancellationToken, ref refusal)) != Flow.Next)
                {
                    return flow;
                }

                a.Stage = Stage.Done;
                return Flow.Next;

            default:
                return flow;
        }
    }

    // Step 7 for an admission: the record, which under RequireAudit must be accepted or the call is refused.
    private Admission Admit(ref Attempt a)
    {
        if (!_record.Admit(in a, out QuotaDecision decision, out long recordedAt, out long auditHandle) && _requireAudit)
        {
            _ = Undo(ref a, synchronous: true);
            decision = RecordStep.AuditRefused(in a);
        }

        _record.Count(in a, in decision);
        if (decision.IsAdmitted && a.Policy.Anomaly is { } anomaly)
        {
            _anomaly.Observe(a.Run, a.Identity, a.WorkloadClass, a.Workflow, a.Policy, a.Cost);
            if (anomaly.Requests is not null)
            {
                _anomaly.Observe(a.Run, a.Identity, a.WorkloadClass, a.Workflow, a.Policy, AnomalySignal.Requests, 1);
            }
        }

        return new Admission(decision, a.Lease, a.PrincipalTaken ? a.Tier!.Principal : null, recordedAt, auditHandle);
    }

    // Step 7 for a refusal: undo, then record.
    private Admission Refuse(ref Attempt a, in Refusal refusal, bool synchronous, out ValueTask undone)
    {
        undone = Undo(ref a, synchronous);
        return new Admission(_record.Deny(in a, in refusal));
    }

    private static async ValueTask<Admission> AfterUndoAsync(ValueTask undone, Admission refused)
    {
        await undone.ConfigureAwait(false);
        return refused;
    }
}
