using System.Runtime.CompilerServices;
using System.Globalization;
using AgentQuotas.Audit;
using AgentQuotas.Telemetry;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 7: records a decision, the only place that writes audit records: every record is stamped by the audit
/// clock and counted in telemetry. The admission's record decides under <see cref="QuotaGateOptions.RequireAudit"/>.
/// </summary>
internal sealed class RecordStep
{
    private readonly AuditClock _clock;
    private readonly IQuotaAuditSink _audit;
    private readonly InMemoryAuditSink? _endsInPlace; // the sink, when it writes a call's end into its admission's record
    private readonly QuotaMetrics _metrics;
    private readonly ILogger _logger;

    public RecordStep(AuditClock clock, IQuotaAuditSink audit, QuotaMetrics metrics, ILogger logger)
    {
        _clock = clock;
        _audit = audit;
        _endsInPlace = audit is InMemoryAuditSink { EndsInPlace: true } memory ? memory : null;
        _metrics = metrics;
        _logger = logger;
    }

    public QuotaMetrics Metrics => _metrics;

    public ILogger Logger => _logger;

    /// <summary>
    /// The admission, recorded; false when the audit sink refused the record. <paramref name="recordedAt"/> is the
    /// record's time (UTC ticks): the record that ends the call is never stamped earlier. <paramref name="auditHandle"/>
    /// names the record for <see cref="End"/> when the sink writes ends in place (else 0).
    /// </summary>
    public bool Admit(in Attempt a, out QuotaDecision decision, out long recordedAt, out long auditHandle)
    {
        string? detail = a.Detail;
        DegradationMode mode = DegradationMode.Full;
        if (a.Queued)
        {
            mode = DegradationMode.Queued;
            detail = string.Format(CultureInfo.InvariantCulture, "Served after waiting {0} in the {1} queue{2}.{3}",
                QuotaMessages.FormatDuration(a.Waited), a.WorkloadClass, a.Lease.IsHeld ? " (pool '" + a.Lease.PoolName + "')" : string.Empty,
                detail is null ? string.Empty : " " + detail);
        }

        decision = new QuotaDecision(true, QuotaReason.None, mode, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, a.Taken.Remaining, retryAfter: null, a.Policy.Version, detail, a.Policy.ContentHash, a.Approval);
        DateTimeOffset at = _clock.UtcAt(a.Timestamp);
        recordedAt = at.UtcTicks;
        auditHandle = 0;
        if (_endsInPlace is { } memory)
        {
            return memory.TryWrite(Record(at, a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, AuditDecision.Admitted, actualCost: null, decision.Detail, a.Waited),
                out auditHandle);
        }

        return Write(at, a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, AuditDecision.Admitted, actualCost: null, decision.Detail, a.Waited);
    }

    /// <summary>
    /// Records the end of an admitted call (completed or failed), stamped by the audit clock's coarse source (exact on
    /// any provider but <see cref="TimeProvider.System"/>), never earlier than its admission's record: written into the
    /// admission's record when the sink does that and still holds it (<paramref name="auditHandle"/>), else as a
    /// record of its own.
    /// </summary>
    public bool End(AgentRun run, in QuotaDecision decision, AuditDecision kind, double? actualCost, string? detail, long admittedAtUtcTicks, long auditHandle)
    {
        DateTimeOffset at = _clock.UtcNotBefore(admittedAtUtcTicks);
        if (auditHandle != 0 && _endsInPlace is { } memory && memory.TryEnd(auditHandle, new AuditEnd(at, kind, actualCost, detail)))
        {
            return true;
        }

        return Write(at, run, run.Identity, run.WorkloadClass, run.Workflow, decision, kind, actualCost, detail, TimeSpan.Zero);
    }

    /// <summary>The admission the audit sink refused, under RequireAudit: refused (its units are already back).</summary>
    public static QuotaDecision AuditRefused(in Attempt a) =>
        new(false, QuotaReason.AuditUnavailable, DegradationMode.Rejected, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, a.Taken.Remaining + a.Cost, retryAfter: null, a.Policy.Version, "The audit sink refused the record.", a.Policy.ContentHash);

    /// <summary>Telemetry of a decision (after its record).</summary>
    public void Count(in Attempt a, in QuotaDecision decision)
    {
        _metrics.RecordDecision(decision, a.WorkloadClass);
        if (a.Taken.UsedBurst && decision.IsAdmitted)
        {
            _metrics.RecordBurst(decision, a.WorkloadClass);
        }

        if (a.Tool.IsPrivileged)
        {
            _metrics.RecordPrivileged(decision);
        }

        if (a.Queued)
        {
            _metrics.RecordQueueWait(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, a.Waited, decision.IsAdmitted ? "granted" : "refused");
        }
    }

    /// <summary>Records a refusal: audit, telemetry and log.</summary>
    public QuotaDecision Deny(in Attempt a, in Refusal refusal)
    {
        QuotaReason reason = refusal.Reason;
        string? detail = refusal.Detail;
        if (a.Quarantined && reason is QuotaReason.BucketExhausted or QuotaReason.CostExceedsCapacity or QuotaReason.DailyCostLimit
            or QuotaReason.MonthlyCostLimit or QuotaReason.UnknownCategory or QuotaReason.RunCostLimit)
        {
            detail = string.Format(CultureInfo.InvariantCulture, "Tenant '{0}' runs under tier '{1}' after a spend anomaly ({2}{3}); clear it with gate.Anomalies.Clear once reviewed.",
                a.Identity.Tenant, a.Tier!.Name, reason, detail is null ? string.Empty : ": " + detail);
            reason = QuotaReason.AnomalyQuarantine;
        }

        DegradationMode mode = DenialMode(a, reason);
        var decision = new QuotaDecision(false, reason, mode, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, refusal.Store?.Remaining ?? double.NaN, refusal.RetryAfter ?? refusal.Store?.RetryAfter, a.Policy.Version, detail, a.Policy.ContentHash, refusal.Approval);
        AuditDecision kind = mode is DegradationMode.DraftOnly or DegradationMode.ApprovalRequired ? AuditDecision.Degraded : AuditDecision.Denied;
        Write(a.Timestamp, in a, decision, kind, actualCost: null, a.Waited);
        _metrics.RecordDecision(decision, a.WorkloadClass);
        if (a.Tool.IsPrivileged)
        {
            _metrics.RecordPrivileged(decision);
        }

        if (a.Waited > TimeSpan.Zero)
        {
            _metrics.RecordQueueWait(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, a.Waited, reason == QuotaReason.QueueTimeout ? "timeout" : "refused");
        }

        Log.Denied(_logger, a.Tool.Name, a.Identity.Tenant, a.Tool.Category, reason);
        return decision;
    }

    /// <summary>Records that a call waits (in a bucket's queue or for a pool slot).</summary>
    public void Queued(in Attempt a, QuotaReason why, string detail)
    {
        var decision = new QuotaDecision(false, why, DegradationMode.Queued, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, double.NaN, retryAfter: null, a.Policy.Version, detail, a.Policy.ContentHash);
        Write(a.Timestamp, in a, decision, AuditDecision.Queued, actualCost: null, queueWait: default);
        _metrics.RecordQueued(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, why);
        Log.Queued(_logger, a.Tool.Name, a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, why);
    }

    /// <summary>Records a wait the caller cancelled (nothing is charged).</summary>
    public void Cancelled(in Attempt a, TimeSpan waited)
    {
        const string Detail = "The caller cancelled while the call waited in the queue; nothing was charged.";
        var decision = new QuotaDecision(false, QuotaReason.Cancelled, DegradationMode.Rejected, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, double.NaN, retryAfter: null, a.Policy.Version, Detail, a.Policy.ContentHash);
        Write(_clock.Timestamp(), in a, decision, AuditDecision.Denied, actualCost: null, waited);
        _metrics.RecordQueueWait(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, waited, "cancelled");
    }

    /// <summary>
    /// Records a decision made outside an attempt's steps (an iteration, usage, a ticket's end, an anomaly), now on
    /// the audit clock unless <paramref name="timestamp"/> says when; <paramref name="detail"/> is the record's.
    /// </summary>
    public bool Write(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, in QuotaDecision decision,
        AuditDecision kind, double? actualCost, string? detail, long? timestamp = null) =>
        Write(timestamp ?? _clock.Timestamp(), run, identity, workloadClass, workflow, decision, kind, actualCost, detail, TimeSpan.Zero);

    /// <summary>Records a decision stamped at <paramref name="timestamp"/> that carries its own queue wait (a model route).</summary>
    public bool WriteAt(long timestamp, AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, in QuotaDecision decision,
        AuditDecision kind, string? detail, TimeSpan queueWait) =>
        Write(timestamp, run, identity, workloadClass, workflow, decision, kind, actualCost: null, detail, queueWait);

    // Which rung serves a refused call: the fallback (a draft) when the tool has one and the ladder
    // allows it; otherwise a pending approval is reported as such; otherwise nothing serves it.
    // Configuration problems and revocations never degrade: a draft would hide them.
    private static DegradationMode DenialMode(in Attempt a, QuotaReason reason)
    {
        bool configurationProblem = reason is QuotaReason.UnknownTenant or QuotaReason.UnknownCategory or QuotaReason.AuditUnavailable
            or QuotaReason.Revoked; // issue 16: a revoked identity gets no draft either
        if (!configurationProblem && a.Tool.HasFallback && a.Policy.Allows(DegradationMode.DraftOnly))
        {
            return DegradationMode.DraftOnly;
        }

        if (reason == QuotaReason.ApprovalRequired && a.Policy.Allows(DegradationMode.ApprovalRequired))
        {
            return DegradationMode.ApprovalRequired;
        }

        return DegradationMode.Rejected;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Write(long timestamp, in Attempt a, in QuotaDecision decision, AuditDecision kind, double? actualCost, TimeSpan queueWait) =>
        Write(timestamp, a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, kind, actualCost, decision.Detail, queueWait);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Write(long timestamp, AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, in QuotaDecision decision,
        AuditDecision kind, double? actualCost, string? detail, TimeSpan queueWait) =>
        Write(_clock.UtcAt(timestamp), run, identity, workloadClass, workflow, decision, kind, actualCost, detail, queueWait);

    // The one audit write of the library (the admission's, when the sink writes ends in place, writes the same record).
    private bool Write(DateTimeOffset at, AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, in QuotaDecision decision,
        AuditDecision kind, double? actualCost, string? detail, TimeSpan queueWait) =>
        _audit.TryWrite(Record(at, run, identity, workloadClass, workflow, decision, kind, actualCost, detail, queueWait));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static QuotaAuditRecord Record(DateTimeOffset at, AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, in QuotaDecision decision,
        AuditDecision kind, double? actualCost, string? detail, TimeSpan queueWait) =>
        new()
        {
            Timestamp = at,
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
            PolicyVersion = decision.PolicyVersion,
            PolicyHash = decision.PolicyHash, // issue 16: every record names the policy content that decided
            Detail = detail,
        };
}
