using System.Diagnostics.Metrics;
using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Resilience;
using AgentQuotas.Stores;
using Microsoft.Extensions.Logging;

namespace AgentQuotas;

/// <summary>Options of <see cref="QuotaGate"/>. Validated when the gate is created.</summary>
public sealed class QuotaGateOptions
{
    /// <summary>The clock for deadlines, audit timestamps and the default store. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where buckets live. Default: a new <see cref="InMemoryQuotaStore"/> on <see cref="TimeProvider"/>, owned
    /// and disposed by the gate. A store passed here is not disposed by the gate.
    /// </summary>
    public IQuotaStore? Store { get; set; }

    /// <summary>
    /// Where audit records go. Default: a new <see cref="InMemoryAuditSink"/> (10,000 records per stripe, oldest
    /// dropped first) with <see cref="InMemoryAuditSink.DefaultStripes"/> stripes when <see cref="TimeProvider"/> is
    /// <see cref="System.TimeProvider.System"/> (so threads on different cores do not share a ring), and one ring under
    /// any other provider (a virtual clock gives many records the same time, and one ring keeps their write order), with
    /// <see cref="InMemoryAuditSink.EndsInPlace"/>: the end of an admitted call is written into its admission's record
    /// (<see cref="QuotaAuditRecord.Outcome"/>) while the ring still holds it, one record per call.
    /// A sink passed here is flushed, not disposed, by the gate.
    /// </summary>
    public IQuotaAuditSink? AuditSink { get; set; }

    /// <summary>Decides calls to tools that require approval. Default <see cref="NoApprovalService"/> (approves nothing).</summary>
    public IApprovalService ApprovalService { get; set; } = NoApprovalService.Instance;

    /// <summary>
    /// When <see langword="true"/>, a call is admitted only if its audit record was accepted; a refusing
    /// sink turns admissions into denials with <see cref="QuotaReason.AuditUnavailable"/>. Default <see langword="false"/>
    /// (records that cannot be kept are counted and reported).
    /// </summary>
    public bool RequireAudit { get; set; }

    /// <summary>Creates the gate's meter; default: a private <see cref="Meter"/> named "AgentQuotas".</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Whether metrics carry the tenant tag. Default <see langword="true"/>; turn off with very many
    /// tenants to bound metric cardinality (audit records always carry the tenant).
    /// </summary>
    public bool IncludeTenantInMetrics { get; set; } = true;

    /// <summary>Where the gate logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Most requests of one class that may wait at once in one queue (per bucket, and per tenant for the
    /// compute pools) when the policy's class has no <c>queueLimit</c>. Zero or more; default 1,000.
    /// </summary>
    public int DefaultQueueLimit { get; set; } = 1_000;

    /// <summary>The default of <see cref="MaxAnomalyTenants"/>.</summary>
    public const int DefaultMaxAnomalyTenants = 100_000;

    /// <summary>
    /// Most tenants the spend-anomaly detector tracks at once (each holds <c>8 x window / interval</c> bytes and
    /// about 200 more). Tenants idle for a whole anomaly window are dropped first; past the limit new tenants are
    /// not judged until room frees, and a warning is logged. At least 1; default 100,000.
    /// </summary>
    public int MaxAnomalyTenants { get; set; } = DefaultMaxAnomalyTenants;

    /// <summary>Called (without being awaited by the decision) when a category's circuit breaker changes state.</summary>
    public Func<CircuitStateChangedArguments, ValueTask>? OnCircuitStateChanged { get; set; }

    /// <summary>Called (without being awaited by the decision) when a tenant's spend is flagged as anomalous.</summary>
    public Func<AnomalyDetectedArguments, ValueTask>? OnAnomalyDetected { get; set; }

    /// <summary>
    /// Completes queue and pool waits on the thread that grants them (a timer callback of
    /// <see cref="TimeProvider"/>, or the call that released a slot) instead of the thread pool. Default
    /// <see langword="false"/>, which is what services want: a grant never runs a waiter's code on the releasing
    /// caller's thread. Set it only when one thread drives a virtual <see cref="TimeProvider"/> and must run
    /// every continuation itself, in order, for a deterministic run: the fairness simulation, the SupportDesk
    /// sample, tests.
    /// </summary>
    public bool InlineQueueCompletions { get; set; }

    /// <summary>
    /// The longest the gate waits for the <see cref="ApprovalService"/> to answer one call. An answer that does not
    /// come in time counts as "not approved" (<see cref="QuotaReason.ApprovalRequired"/>: the call degrades to its
    /// fallback or is refused, and its units are given back), so a hung approval service never holds a call open.
    /// Positive and at most one day; default 30 seconds, on <see cref="TimeProvider"/>.
    /// </summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A revocation file (issue 16) whose tenants and principals are refused with <see cref="QuotaReason.Revoked"/>, on top of
    /// the policy's own <c>revoked</c> section; <see langword="null"/> (the default) for the policy's list only. Reload it with
    /// <see cref="Trust.RevocationFile.Reload"/> after <c>agentquotas revoke</c> edits it.
    /// </summary>
    public Trust.RevocationFile? Revocations { get; set; }

    internal void Validate()
    {
        if (ApprovalTimeout <= TimeSpan.Zero || ApprovalTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ApprovalTimeout), ApprovalTimeout, "ApprovalTimeout must be positive and at most one day.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(ApprovalService, nameof(ApprovalService));
        ArgumentOutOfRangeException.ThrowIfNegative(DefaultQueueLimit, nameof(DefaultQueueLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAnomalyTenants, 1, nameof(MaxAnomalyTenants));
    }
}
